/**
 * Officer sign-in, checked offline by the worker against the unit's officers it holds (S23). After
 * too many failures the worker makes the next attempt wait: the screen counts the wait down.
 */
import { useState } from 'preact/hooks';
import type { AuthState, DeviceSummary, Session } from '../../worker/types.ts';
import { worker } from '../bridge.ts';
import { useSubmit } from '../use-submit.ts';
import { LangSwitch } from '../components/LangSwitch.tsx';
import { t } from '../i18n/core.ts';
import { focusOnMount } from '../focus.ts';
import { useSignInWait } from '../countdown.ts';

export function LoginScreen({ device, ended, onLogin }: { device: DeviceSummary; ended: AuthState['reason']; onLogin: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { seconds, checked } = useSignInWait();
  const { busy, error, submit } = useSubmit(
    checked(() => worker().login(username, password)),
    onLogin,
  );

  return (
    <main class="card narrow">
      <div class="corner">
        <LangSwitch />
      </div>
      <h1>{t('login.title')}</h1>
      <p>{device.unitName}</p>
      {(ended === 'disabled' || ended === 'changed') && (
        <p class="warning" role="alert" data-testid="session-ended">
          {t(`login.ended.${ended}`)}
        </p>
      )}
      <form data-testid="login-form" onSubmit={submit}>
        <label>
          {t('login.username')}
          <input data-testid="login-username" autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required ref={focusOnMount} />
        </label>
        <label>
          {t('login.password')}
          <input
            data-testid="login-password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </label>
        {seconds !== null ? (
          <p class="error" role="alert" data-testid="login-wait">
            {t('login.wait', { seconds })}
          </p>
        ) : (
          error !== null && (
            <p class="error" role="alert" data-testid="form-error">
              {error}
            </p>
          )
        )}
        <button type="submit" data-testid="login-submit" disabled={busy || seconds !== null}>
          {busy ? t('login.checking') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
