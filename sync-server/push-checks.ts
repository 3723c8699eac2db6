/**
 * What a Push needs before its batch is written (catchup.ts): the batch's docs as stored, read in one
 * query and each built at most once (stored-docs.ts), serve the checks (trust.ts: S8, S19, S21's doc
 * size), the grant check (S20), the stamps (S13) and the projection (S18). Throws a Refusal or a
 * ProtocolError, and then nothing of the batch is written.
 */
import { CloseCode } from '../src/protocol/constants.ts';
import type { Grant } from '../src/protocol/messages.ts';
import type { ChannelDeps } from './channel.ts';
import { Refusal } from './conn.ts';
import { eventIdsOf } from './events.ts';
import type { CommittedItem } from './hub.ts';
import { batchProjection, type BatchProjection } from './projection.ts';
import { BatchDocs } from './stored-docs.ts';
import type { Device, EventStamp, SyncStore } from './store/types.ts';
import { checkDocUpdates, grantsWithoutTransfer, logCarried, type CheckedDoc, type Writer } from './trust.ts';

export interface PreparedPush {
  readonly stamps: EventStamp[];
  readonly projection: BatchProjection;
}

export async function preparePush(
  deps: ChannelDeps,
  device: Device,
  writer: Writer,
  items: readonly CommittedItem[],
  grants: readonly Grant[],
  now: number,
): Promise<PreparedPush> {
  const docs = new BatchDocs(await deps.store.readDocs([...new Set(items.map((it) => it.doc))]));
  try {
    const byDoc = new Map<string, Uint8Array[]>();
    const homes = new Map<string, string>();
    for (const it of items) {
      byDoc.set(it.doc, [...(byDoc.get(it.doc) ?? []), it.update]);
      homes.set(it.doc, it.unit);
    }
    const checked = new Map<string, CheckedDoc>();
    for (const [doc, updates] of byDoc) checked.set(doc, checkDocUpdates(doc, updates, docs.view(doc), writer));
    await checkGrants(deps.store, grants, checked);
    logCarried(deps.log, device, 'sync', [...checked.values()]);
    const stamps = [...checked.values()].flatMap((c) => {
      const eventIds = c.resolver === null ? [] : eventIdsOf(c.resolver);
      return eventIds.length === 0 ? [] : [{ doc: c.doc, unit: homes.get(c.doc) ?? '', eventIds }];
    });
    return { stamps, projection: batchProjection(deps.projector, items, stamps, docs.stored, now, docs) };
  } finally {
    docs.destroy();
  }
}

/** S20: a grant without its transfer event in the batch must be stored already (a re-send). */
async function checkGrants(store: SyncStore, grants: readonly Grant[], checked: ReadonlyMap<string, CheckedDoc>): Promise<void> {
  const byUnit = new Map<string, string[]>();
  for (const g of grantsWithoutTransfer(grants, checked)) byUnit.set(g.unit, [...(byUnit.get(g.unit) ?? []), g.doc]);
  for (const [unit, docs] of byUnit) {
    const stored = await store.grantedDocs(unit, docs);
    if (docs.some((doc) => !stored.has(doc))) throw new Refusal(CloseCode.UngrantedTransfer, 'S20', 'grant without its transfer');
  }
}
