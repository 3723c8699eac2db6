/** [S13] Finding the events an update inserts, without trusting it to be well formed. */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { docFromRows, eventStamps, insertedEventIds, MAX_EVENT_ID_LENGTH } from '../../sync-server/events.ts';
import { dossierDoc, UNIT } from './helpers.ts';

/** Records every update a doc emits, as a device's outbox would. */
function recorder(): { doc: Y.Doc; updates: Uint8Array[] } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  return { doc, updates };
}

const event = (id: string): Record<string, unknown> => ({ id, type: 'received', at: 1, officer: 'o', device: 'd' });

/** insertedEventIds with a base that must not be asked for. */
function withoutBase(updates: readonly Uint8Array[]): string[] {
  return insertedEventIds(updates, () => {
    throw new Error('base loaded');
  });
}

describe('[S13] events inserted by an update', () => {
  it('finds the first events of a new dossier from the update alone', () => {
    const { doc, updates } = recorder();
    doc.transact(() => {
      doc.getMap('f').set('name', 'Lê Văn Tám');
      doc.getArray('events').push([event('e1'), event('e2')]);
    });
    expect(withoutBase(updates)).toEqual(['e1', 'e2']);
  });

  it('follows an appended event to its neighbour: in the same batch, else in the stored doc', () => {
    const { doc, updates } = recorder();
    doc.getArray('events').push([event('e1')]);
    doc.getArray('events').push([event('e2')]);
    doc.getArray('events').insert(0, [event('e0')]);
    expect(withoutBase(updates)).toEqual(['e1', 'e2', 'e0']);

    // The server holds the first update; the second comes alone and names no parent.
    const stored = docFromRows(updates.slice(0, 1));
    expect(Y.decodeUpdate(updates[1] ?? new Uint8Array()).structs[0]).toMatchObject({ parent: null });
    let asked = 0;
    expect(insertedEventIds(updates.slice(1, 2), () => (asked++, stored))).toEqual(['e2']);
    expect(asked).toBe(1);
    // Without the stored doc nothing can be said, so nothing is stamped.
    expect(insertedEventIds(updates.slice(1, 2), () => null)).toEqual([]);
  });

  it('stamps nothing for field edits, other arrays, nested or map-shaped events, and odd values', () => {
    const { doc, updates } = recorder();
    doc.getMap('f').set('name', 'a');
    doc.getMap('f').set('name', 'b');
    doc.getArray('notes').push([event('n1')]);
    doc.getMap('f').set('events', new Y.Array());
    (doc.getMap('f').get('events') as Y.Array<unknown>).push([event('nested')]);
    doc.getMap('events-as-map').set('x', event('m1'));
    doc.getArray('events').push(['text', 42, null, [event('in-array')], { id: 7 }, { id: '' }, { id: 'x'.repeat(MAX_EVENT_ID_LENGTH + 1) }]);
    const base = docFromRows([]);
    expect(insertedEventIds(updates, () => base)).toEqual([]);

    const asMap = recorder();
    asMap.doc.getMap('events').set('e1', event('e1'));
    expect(withoutBase(asMap.updates)).toEqual([]);
  });

  it('does not load the stored doc for an edit that cannot be an event', () => {
    const { doc, updates } = recorder();
    doc.getMap('f').set('name', 'a');
    doc.getArray('events').push([event('e1')]);
    doc.getMap('f').set('name', 'b');
    doc.getArray('events').push(['not an event']);
    expect(withoutBase(updates.slice(2))).toEqual([]);
  });

  it('[S17] does not stamp again an event that arrives with its server stamp (sent back to a restored store)', () => {
    const { doc, updates } = recorder();
    doc.getArray('events').push([event('e1'), event('e2')]);
    // The stamp row the server wrote for e1 (a fresh doc, as stampUpdates makes it).
    const stamp = new Y.Doc();
    stamp.getMap('st').set('e1', 1_795_000_000_000);
    const device = docFromRows([...updates, Y.encodeStateAsUpdate(stamp)]);
    // What a device sends back: its whole doc, events and stamp in one update.
    expect(withoutBase([Y.encodeStateAsUpdate(device)])).toEqual(['e2']);
    // A value that is no time, or a key set in another map, does not count as a stamp.
    const odd = new Y.Doc();
    odd.getMap('st').set('e2', 'soon');
    odd.getMap('f').set('e1', 5);
    expect(withoutBase([...updates, Y.encodeStateAsUpdate(odd)])).toEqual(['e1', 'e2']);
  });

  it('never throws on bytes that are not an update', () => {
    expect(withoutBase([new Uint8Array([200, 1, 2, 3])])).toEqual([]);
    expect(withoutBase([new Uint8Array([0, 0])])).toEqual([]);
  });

  it('groups a batch per dossier doc, loads a stored doc only when needed, and ignores other kinds', async () => {
    const a = recorder();
    a.doc.getArray('events').push([event('a1')]);
    a.doc.getArray('events').push([event('a2')]);
    const b = recorder();
    b.doc.getArray('events').push([event('b1')]);
    const docA = dossierDoc();
    const docB = dossierDoc();
    const loaded: string[] = [];
    const stamps = await eventStamps(
      [
        { doc: docA, unit: UNIT, update: a.updates[1] ?? new Uint8Array() },
        { doc: docB, unit: UNIT, update: b.updates[0] ?? new Uint8Array() },
        { doc: `${UNIT}/queue/2026-11-22`, unit: UNIT, update: b.updates[0] ?? new Uint8Array() },
      ],
      async (doc) => {
        loaded.push(doc);
        return a.updates.slice(0, 1);
      },
    );
    expect(stamps).toEqual([
      { doc: docA, unit: UNIT, eventIds: ['a2'] },
      { doc: docB, unit: UNIT, eventIds: ['b1'] },
    ]);
    expect(loaded).toEqual([docA]);
  });
});
