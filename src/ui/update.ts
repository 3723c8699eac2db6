/**
 * The service worker lifecycle seen from the page: a new version waits until the officer chooses to
 * reload, so an update never interrupts an intake (the form keeps its state until then). workbox-window
 * loads after the first screen.
 */
export function registerServiceWorker(onUpdateReady: (apply: () => void) => void): void {
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
  void import('workbox-window')
    .then(({ Workbox }) => {
      const wb = new Workbox('/sw.js');
      wb.addEventListener('waiting', () => {
        onUpdateReady(() => {
          wb.addEventListener('controlling', () => window.location.reload());
          wb.messageSkipWaiting();
        });
      });
      return wb.register();
    })
    .catch((e: unknown) => console.error('service worker registration failed', e));
}
