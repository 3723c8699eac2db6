/**
 * The idle lock (S23): it replaces the whole app while the worker is locked, and shows only the
 * officer's name; the password opens it again (the worker checks it, with the sign-in's delay).
 */
import { useState } from 'preact/hooks';
import type { Session } from '../../worker/types.ts';
import { worker } from '../bridge.ts';
import { useSubmit } from '../use-submit.ts';
import { t } from '../i18n/core.ts';
import { focusOnMount } from '../focus.ts';
import { useSignInWait } from '../countdown.ts';

export function LockScreen({ session, onUnlock, onLogout }: { session: Session; onUnlock: (s: Session) => void; onLogout: () => void }) {
  const [password, setPassword] = useState('');
  const { seconds, checked } = useSignInWait();
  const { busy, error, submit } = useSubmit(
    checked(() => worker().unlock(password)),
    onUnlock,
  );

  return (
    <div class="lock-overlay" data-testid="lock-screen">
      <main class="card narrow" role="dialog" aria-modal="true" aria-labelledby="lock-title">
        <h1 id="lock-title">{t('lock.title')}</h1>
        <p>{t('lock.explain', { name: session.displayName })}</p>
        <form data-testid="lock-form" onSubmit={submit}>
          <input type="text" hidden autocomplete="username" value={session.username} readOnly />
          <label>
            {t('login.password')}
            <input
              data-testid="lock-password"
              type="password"
              autocomplete="current-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              required
              ref={focusOnMount}
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
          <div class="actions">
            <button type="submit" data-testid="lock-submit" disabled={busy || seconds !== null}>
              {busy ? t('login.checking') : t('lock.unlock')}
            </button>
            <button type="button" class="secondary" data-testid="lock-logout" onClick={onLogout}>
              {t('lock.other')}
            </button>
          </div>
        </form>
      </main>
    </div>
  );
}
