/**
 * A batch's docs as stored, read once (SyncStore.readDocs) and each built into a Y.Doc at most once,
 * when a check first needs it (trust.ts, the stamps of S13), then handed to the projection (S18),
 * which applies the batch on top instead of building the doc again. A doc with no stored rows is
 * never built.
 */
import type * as Y from 'yjs';
import { docFromRows } from './events.ts';
import type { StoredDoc } from './store/types.ts';
import type { StoredView } from './trust.ts';

export class BatchDocs {
  private readonly built = new Map<string, Y.Doc>();

  constructor(readonly stored: ReadonlyMap<string, StoredDoc>) {}

  /** The doc's size as stored, and its lazily built doc. */
  view(doc: string): StoredView {
    const rows = this.stored.get(doc)?.rows ?? [];
    return { rows: rows.length, bytes: rows.reduce((n, r) => n + r.byteLength, 0), base: () => this.base(doc) };
  }

  /** The doc as stored (null when it has no rows); built once and kept until taken. */
  base(doc: string): Y.Doc | null {
    const rows = this.stored.get(doc)?.rows;
    if (rows === undefined || rows.length === 0) return null;
    let built = this.built.get(doc);
    if (built === undefined) {
      built = docFromRows(rows);
      this.built.set(doc, built);
    }
    return built;
  }

  /** Hands over a doc built so far: the caller may change it and destroys it. */
  take(doc: string): Y.Doc | undefined {
    const built = this.built.get(doc);
    this.built.delete(doc);
    return built;
  }

  /** Frees the docs nobody took. */
  destroy(): void {
    for (const doc of this.built.values()) doc.destroy();
    this.built.clear();
  }
}
