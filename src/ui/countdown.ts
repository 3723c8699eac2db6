/** The wait the worker imposes after failed sign-ins (S23), counted down on the sign-in and lock screens. */
import { useEffect, useState } from 'preact/hooks';
import type { Outcome } from '../worker/types.ts';
import { worker } from './bridge.ts';

/** Seconds left until `retryAt`, ticking every second; null when no wait is due. */
function useCountdown(retryAt: number | null, onDone: () => void): number | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (retryAt === null) return;
    setNow(Date.now());
    const timer = window.setInterval(() => {
      const n = Date.now();
      setNow(n);
      if (n >= retryAt) onDone();
    }, 1000);
    return () => window.clearInterval(timer);
  }, [retryAt]);
  return retryAt === null || retryAt <= now ? null : Math.ceil((retryAt - now) / 1000);
}

/**
 * The seconds to wait before the next try (null: none), asked of the worker on mount and taken from
 * each refused try; `checked` wraps the worker call that may be refused with a `retryAt`.
 */
export function useSignInWait(): { seconds: number | null; checked: <T>(run: () => Promise<Outcome<T>>) => () => Promise<Outcome<T>> } {
  const [retryAt, setRetryAt] = useState<number | null>(null);
  useEffect(() => {
    void worker()
      .signInWait()
      .then(setRetryAt, () => undefined);
  }, []);
  const seconds = useCountdown(retryAt, () => setRetryAt(null));
  const checked =
    <T,>(run: () => Promise<Outcome<T>>) =>
    async (): Promise<Outcome<T>> => {
      const r = await run();
      if (!r.ok && r.retryAt !== undefined) setRetryAt(r.retryAt);
      return r;
    };
  return { seconds, checked };
}
