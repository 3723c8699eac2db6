/**
 * The page's half of the idle lock (S23): it tells the worker about input, at most a few times per
 * idle period. The worker keeps the clock and locks itself (src/worker/officer-session.ts); the page
 * only shows what the worker says (App.tsx).
 */
import { useEffect } from 'preact/hooks';
import { worker } from './bridge.ts';

/** 'input' too: a form filled by the browser's autofill or by a test sends no key. */
const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'input', 'wheel', 'touchstart'] as const;

/** Input closer together than this is reported once (a tenth of the idle time at most). */
const MAX_REPORT_GAP_MS = 5_000;

export function useActivityReport(active: boolean): void {
  useEffect(() => {
    if (!active) return;
    let gap = MAX_REPORT_GAP_MS;
    void worker()
      .idleLockMs()
      .then((ms) => {
        gap = Math.min(MAX_REPORT_GAP_MS, ms / 10);
      });
    let last = 0;
    const touch = (): void => {
      const now = Date.now();
      if (now - last < gap) return;
      last = now;
      void worker().activity();
    };
    for (const e of INPUT_EVENTS) window.addEventListener(e, touch, { passive: true, capture: true });
    return () => {
      for (const e of INPUT_EVENTS) window.removeEventListener(e, touch, { capture: true });
    };
  }, [active]);
}
