/** The app's top level: boot, enrollment, sign-in, then the shell with its screens (and the idle lock). */
import { useEffect, useState } from 'preact/hooks';
import type { BootState, DeviceSummary, Session, SyncStatus } from '../worker/types.ts';
import { boot as bootWorker, proxy, worker } from './bridge.ts';
import { LockScreen } from './components/LockScreen.tsx';
import { Shell } from './components/Shell.tsx';
import { t } from './i18n/core.ts';
import { useLocale } from './i18n/index.ts';
import { IDLE_LOCK_MS, storedLock, storeLock, useIdle } from './idle.ts';
import { EnrollScreen } from './screens/EnrollScreen.tsx';
import { LoginScreen } from './screens/LoginScreen.tsx';
import { afterFirstScreen, firstScreenShown } from './first-screen.ts';
import { checkStorage, onStorageRecheck, RECHECK_MS, type StorageHealth } from './storage.ts';
import { registerServiceWorker } from './update.ts';

export function App() {
  useLocale();
  const [boot, setBoot] = useState<BootState | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [storage, setStorage] = useState<StorageHealth | null>(null);
  const [applyUpdate, setApplyUpdate] = useState<(() => void) | null>(null);
  const [locked, setLocked] = useState(false);

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
    bootWorker().then(
      (b) => {
        setBoot(b);
        if (b.session !== null) setLocked(storedLock(b.session.officerId));
      },
      (e: unknown) => setBootError(String(e)),
    );
    void w.onStatus(proxy((s: SyncStatus) => setStatus(s)));
    return () => {
      window.clearInterval(every);
      unwatch();
    };
  }, []);

  const session = boot?.session ?? null;
  // The enroll and login forms are usable as soon as they are shown (the intake form says so itself).
  const formScreen = bootError !== null || (boot !== null && (boot.device === null || session === null));
  useEffect(() => {
    if (formScreen) firstScreenShown();
  }, [formScreen]);
  const lock = (): void => {
    if (session === null) return;
    storeLock(session.officerId);
    setLocked(true);
  };
  useIdle(IDLE_LOCK_MS, session !== null && !locked, lock);

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
  if (session === null) {
    return <LoginScreen device={boot.device} onLogin={(s: Session) => setBoot({ ...boot, session: s })} />;
  }
  const logout = (): void => {
    storeLock(null);
    setLocked(false);
    void worker()
      .logout()
      .then(() => setBoot({ ...boot, session: null }));
  };
  return (
    <>
      <Shell
        device={boot.device}
        session={session}
        status={status}
        storage={storage}
        applyUpdate={applyUpdate}
        locked={locked}
        onLock={lock}
        onLogout={logout}
      />
      {locked && (
        <LockScreen
          session={session}
          onUnlock={(s) => {
            storeLock(null);
            setLocked(false);
            setBoot({ ...boot, session: s });
          }}
          onLogout={logout}
        />
      )}
    </>
  );
}
