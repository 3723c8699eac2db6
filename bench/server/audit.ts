/**
 * The content check after a configuration: a department device (scope: every commune) pulls the
 * whole log through /sync, and every dossier pushed must come back with its four events and a
 * server time stamp for each (S13). Row counts alone would not do: the compactor (S16) may merge a
 * doc's rows, and a store that merged them wrongly would still have the right number of docs.
 */
import WebSocket from 'ws';
import * as Y from 'yjs';
import { retryHint } from '../../src/protocol/busy.ts';
import { CloseCode, LIMITS, MsgType, PATHS } from '../../src/protocol/constants.ts';
import { decodeMessage, encodeMessage, type Message } from '../../src/protocol/messages.ts';
import { eventsOf, serverTimesOf } from '../../src/worker/dossier-doc.ts';
import type { ServerNode } from './node.ts';
import type { Expected } from './verify.ts';

/** Every dossier of the backlog carries this many events. */
const EVENTS_PER_DOSSIER = 4;

/** Every update of every home row, by doc, as a department device pulls them. */
async function pullEverything(node: ServerNode, token: string): Promise<Map<string, Uint8Array[]>> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const ws = new WebSocket(`${node.wsUrl}${PATHS.sync}`, { headers: { authorization: `Bearer ${token}` } });
    ws.on('error', () => undefined);
    const inbox: Message[] = [];
    let wake: (() => void) | null = null;
    // In an object: TypeScript does not see the close handler set a plain variable.
    const link: { closed: { code: number; reason: string } | null } = { closed: null };
    ws.on('message', (data: Buffer) => {
      inbox.push(decodeMessage(new Uint8Array(data)));
      wake?.();
    });
    ws.on('close', (code, reason) => {
      link.closed = { code, reason: reason.toString() };
      wake?.();
    });
    const next = async <T extends Message['type']>(type: T): Promise<Extract<Message, { type: T }>> => {
      for (;;) {
        const i = inbox.findIndex((m) => m.type === type);
        if (i >= 0) return inbox.splice(i, 1)[0] as Extract<Message, { type: T }>;
        if (link.closed !== null) throw new Error(`audit: closed ${link.closed.code} ${link.closed.reason}`);
        await new Promise<void>((r) => (wake = r));
      }
    };
    try {
      await next(MsgType.Welcome);
      const docs = new Map<string, Uint8Array[]>();
      let since = 0;
      for (;;) {
        ws.send(encodeMessage({ type: MsgType.Pull, since, limit: LIMITS.maxPullRows }));
        const page = await next(MsgType.PullBatch);
        for (const it of page.items) docs.set(it.doc, [...(docs.get(it.doc) ?? []), it.update]);
        since = page.cursor;
        if (!page.more) break;
      }
      ws.close(1000, 'audit done');
      return docs;
    } catch (e) {
      // A node still shedding the storm may refuse the auditor too: come back when it says.
      const hint = link.closed?.code === CloseCode.Busy ? retryHint(link.closed.reason) : null;
      if (hint === null) throw e;
      await new Promise((r) => setTimeout(r, hint));
    }
  }
  throw new Error('audit: refused with Busy 50 times');
}

/** Problems found in the content of the pushed dossiers, at most a few named. */
export async function auditContent(node: ServerNode, expected: Expected, unit: string): Promise<string[]> {
  const code = await node.createEnrollment(unit, 1, 'department');
  const { token } = await node.enroll(code, 'Kiểm tra');
  const docs = await pullEverything(node, token);
  const problems: string[] = [];
  let bad = 0;
  for (const home of expected.home.values()) {
    for (const doc of home) {
      const updates = docs.get(doc);
      const y = new Y.Doc();
      for (const u of updates ?? []) Y.applyUpdate(y, u);
      const events = eventsOf(y).length;
      const stamps = serverTimesOf(y).size;
      y.destroy();
      if (events === EVENTS_PER_DOSSIER && stamps === EVENTS_PER_DOSSIER) continue;
      if (++bad <= 5) problems.push(`${doc}: ${updates === undefined ? 'not pulled' : `${events} events, ${stamps} stamps`}`);
    }
  }
  if (bad > 5) problems.push(`and ${bad - 5} more dossiers without their ${EVENTS_PER_DOSSIER} events and stamps`);
  return problems;
}
