/**
 * Helpers of the session tests (S23): a copy of the built app with its own /config.json (a short
 * idle lock), and the officer admin calls the tests make on the server.
 */
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, type Page } from '@playwright/test';
import { ROOT, type SyncServer } from './server.ts';

/** dist/ copied under `dir`, with `config` as its /config.json; serve it with SyncServer's staticDir. */
export async function distWithConfig(dir: string, config: { idleLockMinutes: number }): Promise<string> {
  const out = join(dir, 'dist-config');
  await cp(join(ROOT, 'dist'), out, { recursive: true });
  await writeFile(join(out, 'config.json'), JSON.stringify(config));
  return out;
}

async function adminFetch<T>(server: SyncServer, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Disables (or enables) an officer of `unit` by username, through the admin API. */
export async function setOfficerDisabled(server: SyncServer, unit: string, username: string, disabled: boolean): Promise<void> {
  const list = await adminFetch<{ officers: { id: string; username: string }[] }>(server, 'GET', `/api/admin/officers?unit=${unit}`);
  const officer = list.officers.find((o) => o.username === username);
  if (officer === undefined) throw new Error(`no officer ${username} in ${unit}`);
  const saved = await adminFetch<{ disabled: boolean }>(server, 'POST', `/api/admin/officers/${officer.id}`, { disabled });
  if (saved.disabled !== disabled) throw new Error(`officer ${username} not ${disabled ? 'disabled' : 'enabled'}`);
}

/** What the page holds in its DOM, as text and markup: nothing of `secrets` may be in either. */
export async function expectNotInDom(page: Page, secrets: readonly string[]): Promise<void> {
  const { text, html } = await page.evaluate(() => ({ text: document.body.innerText, html: document.body.innerHTML }));
  for (const s of secrets) {
    expect(text, `"${s}" in the page's text`).not.toContain(s);
    expect(html, `"${s}" in the page's markup`).not.toContain(s);
  }
}
