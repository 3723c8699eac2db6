/**
 * The submit of a small form that calls the worker once: busy while it runs, the Failure's message
 * when it fails (Vietnamese, from the worker), the value to `onOk` when it succeeds.
 */
import { useState } from 'preact/hooks';
import type { Outcome } from '../worker/types.ts';

export function useSubmit<T>(
  run: () => Promise<Outcome<T>>,
  onOk: (value: T) => void,
): { busy: boolean; error: string | null; submit: (e: Event) => void } {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: Event): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    void run().then(
      (r) => {
        setBusy(false);
        if (r.ok) onOk(r.value);
        else setError(r.message);
      },
      (err: unknown) => {
        setBusy(false);
        setError(String(err));
      },
    );
  };
  return { busy, error, submit };
}
