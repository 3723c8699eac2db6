/**
 * The answer to AskStates (rule S17): each doc's state as the server holds it, so a device that met a
 * new epoch (a store restored from a backup) sends back exactly what the store lacks. A state is a Yjs
 * snapshot: the state vector, and the delete set, which a state vector does not cover (a deletion takes
 * no clock). Built from the doc's home rows, as a live room loads them.
 *
 * The work per request is bounded: at most LIMITS.maxStateDocs docs (the codec refuses more), and the
 * answer stops once its states pass STATES_ANSWER_BYTES; the device asks again for the rest.
 */
import * as Y from 'yjs';
import { LIMITS } from '../src/protocol/constants.ts';
import type { DocState } from '../src/protocol/messages.ts';
import { parseDocName } from '../src/protocol/doc-names.ts';
import { inScope } from './auth.ts';
import { docFromRows } from './events.ts';
import type { Device, SyncStore } from './store/types.ts';

/** State bytes per answer: far under LIMITS.maxMessageBytes whatever the doc names add. */
export const STATES_ANSWER_BYTES = 2 * 1024 * 1024;

/** A state that says "nothing here": the device then sends the whole doc. */
const EMPTY_STATE = Y.encodeSnapshot(Y.emptySnapshot);

export function stateOf(rows: readonly Uint8Array[]): Uint8Array {
  const doc = docFromRows(rows);
  try {
    return Y.encodeSnapshot(Y.snapshot(doc));
  } finally {
    doc.destroy();
  }
}

/**
 * The states of the first of `docs` (in order, each once) within the byte budget; at least one doc
 * is answered. A doc outside the device's scope (its commune's docs and those granted to it, S9/S12)
 * is answered null and tells nothing about the doc.
 */
export async function docStates(
  store: SyncStore,
  device: Device,
  docs: readonly string[],
  budget: number = STATES_ANSWER_BYTES,
): Promise<DocState[]> {
  const unique = [...new Set(docs)];
  const foreign = unique.filter((doc) => !inScope(device, parseDocName(doc)?.unit ?? ''));
  const granted = foreign.length === 0 ? new Set<string>() : await store.grantedDocs(device.unit, foreign);
  const refused = new Set(foreign.filter((doc) => !granted.has(doc)));
  const out: DocState[] = [];
  let bytes = 0;
  for (const doc of unique) {
    if (out.length > 0 && bytes >= budget) break;
    if (refused.has(doc)) {
      out.push({ doc, state: null });
      continue;
    }
    let state = stateOf(await store.readDoc(doc));
    // A state past the limit (thousands of writers) would not decode on the device: "nothing here"
    // makes it send its whole doc instead, which the store takes as any repeated update.
    if (state.byteLength > LIMITS.maxStateBytes) state = EMPTY_STATE;
    bytes += state.byteLength;
    out.push({ doc, state });
  }
  return out;
}
