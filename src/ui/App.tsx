/** The app's top level: boot, enrollment, sign-in, then the shell with its screens. */
import { useEffect, useState } from 'preact/hooks';
import type { BootState, DeviceSummary, Session, SyncStatus } from '../worker/types.ts';
import { proxy, worker } from './bridge.ts';
import { Shell } from './components/Shell.tsx';
import { EnrollScreen } from './screens/EnrollScreen.tsx';
import { LoginScreen } from './screens/LoginScreen.tsx';
import { checkStorage, type StorageHealth } from './storage.ts';
import { registerServiceWorker } from './update.ts';

export function App() {
  const [boot, setBoot] = useState<BootState | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  const [status, setStatus] = useState<SyncStatus | null>(null);
  const [storage, setStorage] = useState<StorageHealth | null>(null);
  const [applyUpdate, setApplyUpdate] = useState<(() => void) | null>(null);

  useEffect(() => {
    registerServiceWorker((apply) => setApplyUpdate(() => apply));
    checkStorage().then(setStorage, () => setStorage(null));
    const w = worker();
    w.boot().then(setBoot, (e: unknown) => setBootError(String(e)));
    void w.onStatus(proxy((s: SyncStatus) => setStatus(s)));
  }, []);

  if (bootError !== null) return <p class="error" role="alert">Không khởi động được ứng dụng: {bootError}</p>;
  if (boot === null) return <p class="loading">Đang khởi động…</p>;
  if (boot.device === null) {
    return <EnrollScreen onEnrolled={(device: DeviceSummary) => setBoot({ device, session: null })} />;
  }
  if (boot.session === null) {
    return <LoginScreen device={boot.device} onLogin={(session: Session) => setBoot({ ...boot, session })} />;
  }
  return (
    <Shell
      device={boot.device}
      session={boot.session}
      status={status}
      storage={storage}
      applyUpdate={applyUpdate}
      onLogout={() => {
        void worker().logout().then(() => setBoot({ ...boot, session: null }));
      }}
    />
  );
}
