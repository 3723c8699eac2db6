/** Officer sign-in, checked offline against the hashes the device received at enrollment. */
import { useState } from 'preact/hooks';
import type { DeviceSummary, Session } from '../../worker/types.ts';
import { worker } from '../bridge.ts';
import { useSubmit } from '../use-submit.ts';
import { LangSwitch } from '../components/LangSwitch.tsx';
import { t } from '../i18n/core.ts';
import { focusOnMount } from '../focus.ts';

export function LoginScreen({ device, onLogin }: { device: DeviceSummary; onLogin: (s: Session) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useSubmit(() => worker().login(username, password), onLogin);

  return (
    <main class="card narrow">
      <div class="corner">
        <LangSwitch />
      </div>
      <h1>{t('login.title')}</h1>
      <p>{device.unitName}</p>
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
        {error !== null && (
          <p class="error" role="alert" data-testid="form-error">
            {error}
          </p>
        )}
        <button type="submit" data-testid="login-submit" disabled={busy}>
          {busy ? t('login.checking') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
