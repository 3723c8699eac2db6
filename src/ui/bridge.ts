/**
 * Starts the worker and wraps it with comlink. The page holds no Y.Doc and writes nothing itself: it
 * calls the worker, and reads the projection through liveQuery (src/ui/live.ts).
 */
import * as Comlink from 'comlink';
import type { Procedure } from '../domain/catalog.ts';
import type { BootState, WorkerEndpoint } from '../worker/types.ts';

export type Worker$ = Comlink.Remote<WorkerEndpoint>;

let instance: Worker$ | null = null;

export function worker(): Worker$ {
  if (instance === null) {
    const w = new Worker(new URL('../worker/main.ts', import.meta.url), { type: 'module', name: 'motcua-worker' });
    instance = Comlink.wrap<WorkerEndpoint>(w);
  }
  return instance;
}

let booting: Promise<BootState> | null = null;
let catalog: Promise<Procedure[]> | null = null;

/**
 * Starts the worker and its boot, once. Called before the first render (src/ui/main.tsx): the worker's
 * script then loads and runs while the page renders, instead of after the first paint (an effect).
 * An enrolled device also asks for the procedures at once: the intake form's first input needs them.
 * Each page (each tab, each reload) starts its own worker, and with it a signed-out session (S23).
 */
export function boot(): Promise<BootState> {
  booting ??= worker().boot();
  void booting.then(
    (b) => {
      // The catalog is no secret: fetched while the officer signs in, ready for the intake form.
      if (b.device !== null) void procedures().catch(() => undefined);
    },
    () => undefined,
  );
  return booting;
}

/** The procedure catalog, asked once (the worker keeps it for its lifetime too); asked again after a failure. */
export function procedures(): Promise<Procedure[]> {
  catalog ??= worker()
    .procedures()
    .catch((e: unknown) => {
      catalog = null;
      throw e;
    });
  return catalog;
}

export const proxy = Comlink.proxy;
