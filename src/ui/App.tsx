/**
 * The app's top level: boot, enrollment, sign-in, then the shell with its screens. The session and
 * the idle lock are the worker's (S23): the page shows what the worker tells it. While locked, the
 * lock screen replaces the shell, so no screen stays mounted behind it and no dossier is in the DOM
 * (nor read from IndexedDB by the screens' live queries).
 */
import { useEffect, useState } from 'preact/hooks';
import type { AuthState, BootState, DeviceSummary, Session, SyncStatus } from '../worker/types.ts';
import { boot as bootWorker, proxy, worker } from './bridge.ts';
import { mountDemoBanner } from './components/DemoBanner.tsx';
import { LockScreen } from './components/LockScreen.tsx';
import { Shell } from './components/Shell.tsx';
import { t } from './i18n/core.ts';
import { useLocale } from './i18n/index.ts';
import { useActivityReport } from './idle.ts';
import { EnrollScreen } from './screens/EnrollScreen.tsx';
import { LoginScreen } from './screens/LoginScreen.tsx';
import { afterFirstScreen, firstScreenShown } from './first-screen.ts';
import { checkStorage, onStorageRecheck, RECHECK_MS, type StorageHealth } from './storage.ts';
import { registerServiceWorker } from './update.ts';

const SIGNED_OUT: AuthState = { session: null, locked: false, reason: null };

export function App() {
  useLocale();
  useEffect(mountDemoBanner, []);
  const [boot, setBoot] = useState<BootState | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [storage, setStorage] = useState<StorageHealth | null>(null);
  const [applyUpdate, setApplyUpdate] = useState<(() => void) | null>(null);
  const [auth, setAuth] = useState<AuthState>(SIGNED_OUT);

  useEffect(() => {
    // The update check loads workbox-window: not before the first screen is usable.
    void afterFirstScreen().then(() => registerServiceWorker((apply) => setApplyUpdate(() => apply)));
    // The headroom write (storage.ts) waits for the first screen, then runs now and then, and at once
    // when an intake was refused for lack of space.
    const measure = (askPersist: boolean): void => {
      checkStorage(askPersist).then(setStorage, () => setStorage(null));
    };
    void afterFirstScreen().then(() => measure(true));
    const every = window.setInterval(() => measure(false), RECHECK_MS);
    const unwatch = onStorageRecheck(() => measure(false));
    const w = worker();
    bootWorker().then(setBoot, (e: unknown) => setBootError(String(e)));
    void w.onStatus(proxy((s: SyncStatus) => setStatus(s)));
    void w.onAuth(proxy((s: AuthState) => setAuth(s)));
    return () => {
      window.clearInterval(every);
      unwatch();
    };
  }, []);

  const session = auth.session;
  // The enroll and login forms are usable as soon as they are shown (the intake form says so itself).
  const formScreen = bootError !== null || (boot !== null && (boot.device === null || session === null));
  useEffect(() => {
    if (formScreen) firstScreenShown();
  }, [formScreen]);
  useActivityReport(session !== null && !auth.locked);

  if (bootError !== null) {
    return (
      <p class="error" role="alert">
        {t('app.bootFailed', { error: bootError })}
      </p>
    );
  }
  if (boot === null) return <p class="loading">{t('app.starting')}</p>;
  if (boot.device === null) {
    return <EnrollScreen onEnrolled={(device: DeviceSummary) => setBoot({ device, session: null })} />;
  }
  const signedIn = (s: Session): void => setAuth({ session: s, locked: false, reason: null });
  if (session === null) return <LoginScreen device={boot.device} ended={auth.reason} onLogin={signedIn} />;
  const logout = (): void => {
    void worker()
      .logout()
      .then(() => setAuth(SIGNED_OUT));
  };
  if (auth.locked) return <LockScreen session={session} onUnlock={signedIn} onLogout={logout} />;
  return (
    <Shell
      device={boot.device}
      session={session}
      status={status}
      storage={storage}
      applyUpdate={applyUpdate}
      locked={false}
      onLock={() => void worker().lock()}
      onLogout={logout}
    />
  );
}
