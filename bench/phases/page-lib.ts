/**
 * What the client phase runs inside the page, installed before the app's own scripts by
 * page.addInitScript on every navigation. Plain JavaScript in a string: functions handed to
 * page.evaluate from tsx carry esbuild's `__name` helper, which the page does not have.
 *
 * window.__bench holds:
 * - usable / ready: the moment the app became usable after a (re)load, seen by a MutationObserver:
 *   the intake form with its procedure list filled (its first input, the procedure select, is focused
 *   on mount and answers keys), or the login form if the app asks for a sign-in instead;
 * - firstInputAt: the first `input` event of the page (a key typed and accepted);
 * - longtasks: every Long Tasks API entry (tasks of 50 ms or more), buffered;
 * - intakes(items, opts): takes in dossiers through the form, as an officer does (choose the procedure,
 *   type the applicant, tick the checklist, press "Tiếp nhận", wait for the receipt, "new intake");
 * - bareIdb(n): n bare strict IndexedDB transactions writing what an intake writes (the floor);
 * - resources(): the page's resource timing entries.
 */
export const PAGE_LIB = String.raw`
(() => {
  if (window.__bench) return;
  const b = { usable: null, firstInputAt: null, longtasks: [] };
  window.__bench = b;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch (e) {
    b.longtaskError = String(e);
  }
  const q = (id) => document.querySelector('[data-testid="' + id + '"]');
  const qa = (id) => Array.from(document.querySelectorAll('[data-testid="' + id + '"]'));
  let resolveReady;
  b.ready = new Promise((r) => (resolveReady = r));
  const check = () => {
    if (b.usable !== null) return true;
    const sel = q('procedure-select');
    if (sel && q('intake-form') && sel.options.length > 1 && !sel.disabled) {
      b.usable = { at: performance.now(), screen: 'intake', focused: document.activeElement === sel, options: sel.options.length };
    } else {
      const login = q('login-username');
      if (login && !login.disabled) b.usable = { at: performance.now(), screen: 'login', focused: document.activeElement === login, options: 0 };
    }
    if (b.usable === null) return false;
    performance.mark('bench-usable');
    // The frame that shows it: the next animation frame's time.
    requestAnimationFrame((t) => {
      b.usable.paintedAt = t;
      resolveReady(b.usable);
    });
    return true;
  };
  const mo = new MutationObserver(() => {
    if (check()) mo.disconnect();
  });
  mo.observe(document, { subtree: true, childList: true, attributes: true });
  document.addEventListener('input', () => {
    if (b.firstInputAt === null) b.firstInputAt = performance.now();
  }, { capture: true });

  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // Resolves once pred() holds, checked after every DOM change (no polling loop on a throttled CPU).
  const until = (pred, what, timeoutMs = 60000) => new Promise((resolve, reject) => {
    const v = pred();
    if (v) return resolve(v);
    const timer = setTimeout(() => {
      obs.disconnect();
      reject(new Error('bench: timed out waiting for ' + what));
    }, timeoutMs);
    const obs = new MutationObserver(() => {
      const r = pred();
      if (!r) return;
      obs.disconnect();
      clearTimeout(timer);
      resolve(r);
    });
    obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  // Sets a field as typing does: the native setter, then the event Preact listens to.
  const setField = (el, value) => {
    const proto = el instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
    Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, value);
    el.dispatchEvent(new Event(el instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
  };
  const render = () => sleep(0);

  /** Pending rows shown by the shell (liveQuery on the outbox). */
  const pending = () => Number(q('pending-count')?.textContent ?? 'NaN');

  // A new task after the next frame: what separates two inputs of a person (each in its own task,
  // with rendering in between), so no step of the driver runs inside the task of the app's last one.
  const nextTask = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const idle = () => new Promise((r) => requestIdleCallback(() => r(), { timeout: 1000 }));

  b.intakes = async (items, opts) => {
    // fast: the whole form filled in one task (the rest of a day, where only the totals count).
    const o = Object.assign({ settleMs: 0, quietMs: 0, fast: false }, opts);
    const step = () => (o.fast ? Promise.resolve() : nextTask());
    const out = [];
    for (const it of items) {
      await until(() => q('intake-form') && q('procedure-select') && q('procedure-select').options.length > 1, 'the intake form');
      await nextTask();
      setField(q('procedure-select'), it.proc);
      await (o.fast ? render() : nextTask());
      for (const [id, v] of [['applicant-name', it.name], ['applicant-cccd', it.cccd], ['applicant-phone', it.phone], ['applicant-address', it.address]]) {
        setField(q(id), v);
        await step();
      }
      for (const cb of qa('component-checkbox')) {
        if (!cb.checked) cb.click();
        await step();
      }
      if (o.fast) await render();
      // An officer takes minutes per applicant: the previous intake's sync round (push, confirm, the
      // server's stamp pulled back) is long done by the next press. Wait for it: pending 0, then quiet.
      if (o.settleMs > 0) {
        const t = performance.now();
        while (pending() !== 0 && performance.now() - t < o.settleMs) await sleep(20);
      }
      if (o.quietMs > 0) await sleep(o.quietMs);
      if (o.settleMs > 0) await idle();
      const before = performance.getEntriesByName('intake-commit').length;
      const t0 = performance.now();
      q('intake-submit').click();
      await until(() => q('receipt-code') || q('form-error'), 'the receipt');
      const shown = performance.now() - t0;
      const err = q('form-error');
      if (err) throw new Error('intake refused: ' + err.textContent + ' ' + JSON.stringify(it));
      const m = performance.getEntriesByName('intake-commit');
      out.push({ commit: m.length > before ? m[m.length - 1].duration : NaN, receipt: shown, code: q('receipt-code').textContent });
      await nextTask();
      q('receipt-new').click();
    }
    await until(() => q('intake-form'), 'the intake form');
    return out;
  };

  b.procedureCodes = async () => {
    const sel = await until(() => {
      const s = q('procedure-select');
      return s && s.options.length > 1 ? s : null;
    }, 'the procedure list');
    return Array.from(sel.options).map((o) => o.value).filter((v) => v !== '');
  };

  b.bareIdb = async (n, indexed) => {
    const sample = await new Promise((resolve, reject) => {
      const req = indexedDB.open('motcua');
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const db = req.result;
        const tx = db.transaction(['updates', 'dossiers'], 'readonly');
        const u = tx.objectStore('updates').openCursor();
        const d = tx.objectStore('dossiers').openCursor();
        let update = null;
        let row = null;
        // The largest stored update is an intake's (the server's stamps and steps are smaller).
        u.onsuccess = () => {
          const c = u.result;
          if (c === null) return;
          if (update === null || c.value.data.byteLength > update.byteLength) update = c.value.data;
          c.continue();
        };
        d.onsuccess = () => (row = d.result ? d.result.value : null);
        tx.oncomplete = () => {
          db.close();
          resolve({ update: update || new Uint8Array(600), row });
        };
      };
    });
    const name = indexed ? 'bench-bare-indexed' : 'bench-bare';
    const db = await new Promise((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        const d = req.result;
        if (!indexed) {
          for (const s of ['updates', 'outbox', 'dossiers', 'meta']) d.createObjectStore(s, { autoIncrement: true });
          return;
        }
        // The app's schema (src/db/schema.ts): the same index entries written as an intake writes.
        d.createObjectStore('updates', { keyPath: 'id', autoIncrement: true }).createIndex('doc', 'doc');
        const o = d.createObjectStore('outbox', { keyPath: 'id', autoIncrement: true });
        o.createIndex('batchId', 'batchId');
        o.createIndex('doc', 'doc');
        const ds = d.createObjectStore('dossiers', { keyPath: 'id' });
        for (const k of ['code', 'nameKey', 'cccd', 'phone', 'status', 'receivedAt', 'dueAt']) ds.createIndex(k, k);
        ds.createIndex('nameWords', 'nameWords', { multiEntry: true });
        ds.createIndex('[status+dueAt]', ['status', 'dueAt']);
        d.createObjectStore('meta', { keyPath: 'key' });
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const times = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await new Promise((resolve, reject) => {
        const tx = db.transaction(['updates', 'outbox', 'dossiers', 'meta'], 'readwrite', { durability: 'strict' });
        tx.objectStore('updates').add({ doc: 'x/' + i, data: sample.update });
        tx.objectStore('outbox').add({ doc: 'x/' + i, data: sample.update, batchId: '' });
        tx.objectStore('dossiers').add(Object.assign({}, sample.row, { id: String(i), code: sample.row ? sample.row.code + '/' + i : String(i) }));
        if (indexed) tx.objectStore('meta').put({ key: 'numberPool', value: { blocks: [], fallback: { d: i } } });
        else tx.objectStore('meta').put({ key: 'numberPool', value: { blocks: [], fallback: { d: i } } }, 'numberPool');
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      times.push(performance.now() - t0);
    }
    db.close();
    await new Promise((resolve) => {
      const del = indexedDB.deleteDatabase(name);
      del.onsuccess = del.onerror = del.onblocked = () => resolve();
    });
    return { times, updateBytes: sample.update.byteLength, rowBytes: JSON.stringify(sample.row).length };
  };

  b.resources = () =>
    performance.getEntriesByType('resource').map((e) => ({ name: e.name, start: e.startTime, end: e.responseEnd, initiator: e.initiatorType }));
})();
`;
