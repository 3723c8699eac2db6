/**
 * One error convention for the whole codebase:
 * - expected outcomes (invalid CCCD, a dossier not found) are returned as values: string unions or
 *   `{ ok: false, reason }` results, never thrown;
 * - real failures (a corrupted frame, a storage fault) are thrown as `AppError` subclasses carrying a
 *   stable `code`, so a boundary (the comlink bridge, a WebSocket handler) can turn them into a
 *   message or a close code without parsing text.
 */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

export type Result<T, E extends string = string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: E; readonly detail?: string };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E extends string>(reason: E, detail?: string): { ok: false; reason: E; detail?: string } =>
  detail === undefined ? { ok: false, reason } : { ok: false, reason, detail };

/** Exhaustiveness check for switches over unions: a new member that is not handled fails to compile. */
export function assertNever(value: never, what = 'value'): never {
  throw new AppError('unreachable', `unexpected ${what}: ${JSON.stringify(value)}`);
}
