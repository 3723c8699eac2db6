/**
 * Idle lock: after 15 minutes without input the screen locks; the session stays (and so does the form
 * being filled), the officer types the password again. The lock survives a reload: a locked screen
 * cannot be opened by pressing F5.
 */
import { useEffect, useRef } from 'preact/hooks';

export const IDLE_LOCK_MS = 15 * 60 * 1000;

const LOCK_KEY = 'motcua.locked';

const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

/** Calls onIdle once `ms` pass with no input in this tab (checked every few seconds, cheap). */
export function useIdle(ms: number, active: boolean, onIdle: () => void): void {
  const last = useRef(Date.now());
  const cb = useRef(onIdle);
  cb.current = onIdle;
  useEffect(() => {
    if (!active) return;
    last.current = Date.now();
    const touch = (): void => {
      last.current = Date.now();
    };
    for (const e of INPUT_EVENTS) window.addEventListener(e, touch, { passive: true, capture: true });
    const timer = window.setInterval(() => {
      if (Date.now() - last.current >= ms) cb.current();
    }, Math.min(5000, ms));
    return () => {
      for (const e of INPUT_EVENTS) window.removeEventListener(e, touch, { capture: true });
      window.clearInterval(timer);
    };
  }, [ms, active]);
}

export function storedLock(officerId: string): boolean {
  try {
    return localStorage.getItem(LOCK_KEY) === officerId;
  } catch {
    return false;
  }
}

export function storeLock(officerId: string | null): void {
  try {
    if (officerId === null) localStorage.removeItem(LOCK_KEY);
    else localStorage.setItem(LOCK_KEY, officerId);
  } catch {
    // Without storage the lock still holds for this page.
  }
}
