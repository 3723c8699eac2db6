/**
 * Starts the worker and wraps it with comlink. The page holds no Y.Doc and writes nothing itself: it
 * calls the worker, and reads the projection through liveQuery (src/ui/live.ts).
 */
import * as Comlink from 'comlink';
import type { WorkerEndpoint } from '../worker/types.ts';

export type Worker$ = Comlink.Remote<WorkerEndpoint>;

let instance: Worker$ | null = null;

export function worker(): Worker$ {
  if (instance === null) {
    const w = new Worker(new URL('../worker/main.ts', import.meta.url), { type: 'module', name: 'motcua-worker' });
    instance = Comlink.wrap<WorkerEndpoint>(w);
  }
  return instance;
}

export const proxy = Comlink.proxy;
