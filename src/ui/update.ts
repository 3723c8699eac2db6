/**
 * The service worker lifecycle seen from the page: a new version waits until the officer chooses to
 * reload, so an update never interrupts an intake (the form keeps its state until then).
 */
import { Workbox } from 'workbox-window';

export function registerServiceWorker(onUpdateReady: (apply: () => void) => void): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  const wb = new Workbox('/sw.js');
  wb.addEventListener('waiting', () => {
    onUpdateReady(() => {
      wb.addEventListener('controlling', () => window.location.reload());
      wb.messageSkipWaiting();
    });
  });
  wb.register().catch((e: unknown) => console.error('service worker registration failed', e));
}
