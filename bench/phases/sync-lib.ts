/**
 * What the sync phases run inside the page (plain JavaScript, for the reason given in page-lib.ts).
 * window.__sync holds:
 * - count(store): rows of one of the app's IndexedDB stores, read with raw IndexedDB; keys(store) their keys;
 * - meta(key): one value of the app's meta store (the device record, the cursor);
 * - inject(rows): writes what the worker would have written for dossiers taken in offline (updates,
 *   outbox rows, projection rows), one transaction per call;
 * - search(query, expect): types the query in the list's search box and resolves with the ms until
 *   the first page of rows shows the expected dossier (or, for a name, only rows that match it);
 * - estimate(): navigator.storage.estimate().usage.
 */
export const SYNC_LIB = String.raw`
(() => {
  if (window.__sync) return;
  const open = () => new Promise((resolve, reject) => {
    const req = indexedDB.open('motcua');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const b64 = (s) => {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  };
  const done = (tx) => new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  const fold = (s) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
  // One read request on a fresh connection, closed after (the app's own connections stay untouched).
  const read = async (store, request) => {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const r = request(db.transaction(store, 'readonly').objectStore(store));
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    } finally {
      db.close();
    }
  };
  window.__sync = {
    count(store) {
      return read(store, (s) => s.count());
    },
    keys(store) {
      return read(store, (s) => s.getAllKeys());
    },
    async meta(key) {
      const row = await read('meta', (s) => s.get(key));
      return row ? row.value : null;
    },
    async inject(chunk) {
      const db = await open();
      try {
        const tx = db.transaction(['updates', 'outbox', 'dossiers'], 'readwrite');
        for (const u of chunk.updates) {
          const data = b64(u.data);
          tx.objectStore('updates').add({ doc: u.doc, data });
          tx.objectStore('outbox').add({ doc: u.doc, data, batchId: '' });
        }
        for (const row of chunk.rows) tx.objectStore('dossiers').put(row);
        await done(tx);
      } finally {
        db.close();
      }
    },
    async estimate() {
      const e = await navigator.storage.estimate();
      return e.usage || 0;
    },
    search(query, expect) {
      const input = document.querySelector('[data-testid="list-search"]');
      if (!input) return Promise.reject(new Error('no search box'));
      const words = fold(query).split(/\s+/).filter(Boolean);
      const ok = () => {
        const rows = Array.from(document.querySelectorAll('[data-testid="dossier-row"]'));
        if (rows.length === 0) return false;
        if (expect) return rows.some((r) => r.textContent.includes(expect));
        // A name query: every row shown has every word as a word prefix of its name.
        // Cell by cell: a row's text runs its cells together ("...0001Ngô"), which would hide a word start.
        return rows.every((r) => Array.from(r.cells).some((td) => {
          const tokens = fold(td.textContent).split(/[^a-z0-9]+/);
          return words.every((w) => tokens.some((t) => t.startsWith(w)));
        }));
      };
      const t0 = performance.now();
      input.value = query;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { mo.disconnect(); reject(new Error('search timed out: ' + query)); }, 30000);
        const mo = new MutationObserver(() => {
          if (!ok()) return;
          mo.disconnect();
          clearTimeout(timer);
          resolve(performance.now() - t0);
        });
        mo.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
    },
    async clear() {
      const input = document.querySelector('[data-testid="list-search"]');
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((r) => setTimeout(r, 300));
    },
  };
})();
`;
