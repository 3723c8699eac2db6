/**
 * The `harness` fixture: a temp dir per test, sync servers and Chromium devices that are always torn
 * down, and on failure the evidence (a screenshot of every live device, the timeline of consoles and
 * server lines, Chromium's stderr). The temp dir is kept on failure and its path printed.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, type TestInfo } from '@playwright/test';
import { ChromiumProcess } from './chromium.ts';
import { SEED } from './data.ts';
import { LogSink } from './logs.ts';
import { AppPage } from './pages.ts';
import { freePort, SyncServer } from './server.ts';

/** One laptop: a persistent Chromium profile that can lose power and boot again. */
export class Device {
  proc: ChromiumProcess | null = null;
  app: AppPage | null = null;

  constructor(
    readonly name: string,
    readonly profileDir: string,
    readonly server: SyncServer,
    private readonly logs: LogSink,
    private readonly stderrFile: string,
  ) {}

  /** Starts Chromium on this device's profile and opens the app (online or not). */
  async boot(): Promise<AppPage> {
    if (this.proc?.alive) throw new Error(`device ${this.name} is already running`);
    this.proc = await ChromiumProcess.launch({
      profileDir: this.profileDir,
      name: this.name,
      logs: this.logs,
      stderrFile: this.stderrFile,
    });
    const page = await this.proc.page();
    this.app = new AppPage(page, this.server.url);
    await this.app.goto();
    return this.app;
  }

  /** SIGKILL to the whole browser: nothing gets to flush or say goodbye. */
  async powerCut(): Promise<void> {
    this.logs.add(`[${this.name}] POWER CUT`);
    await this.proc?.powerCut();
    this.app = null;
  }

  get ui(): AppPage {
    if (!this.app) throw new Error(`device ${this.name} is not running`);
    return this.app;
  }

  async shutdown(): Promise<void> {
    await this.proc?.close();
    this.app = null;
  }
}

export interface Harness {
  readonly logs: LogSink;
  readonly tmp: string;
  /** A sync server on a free port and a fresh data dir (not started). */
  server(): Promise<SyncServer>;
  /** A device with its own profile dir (not booted). */
  device(name: string, server: SyncServer): Device;
  /** A step in the timeline (shown in the failure report). */
  note(text: string): void;
}

/** Writes one piece of evidence under the test's output dir and attaches it by path (the list reporter prints paths). */
async function keep(testInfo: TestInfo, name: string, body: string | Buffer, contentType: string): Promise<void> {
  const path = testInfo.outputPath(name);
  await writeFile(path, body);
  await testInfo.attach(name, { path, contentType });
}

async function attachEvidence(testInfo: TestInfo, logs: LogSink, devices: Device[], servers: SyncServer[], tmp: string): Promise<void> {
  for (const d of devices) {
    const page = d.app?.page;
    if (!page || page.isClosed()) continue;
    try {
      await keep(testInfo, `screenshot-${d.name}.png`, await page.screenshot({ fullPage: true, timeout: 10_000 }), 'image/png');
      await keep(testInfo, `dom-${d.name}.html`, await page.content(), 'text/html');
    } catch (err) {
      logs.add(`[harness] screenshot of ${d.name} failed: ${String(err)}`);
    }
  }
  for (const [i, s] of servers.entries()) await keep(testInfo, `server-${i}-stdout.log`, s.lines.join('\n') + '\n', 'text/plain');
  for (const d of devices) {
    const path = join(tmp, `chromium-${d.name}.log`);
    if (existsSync(path)) await keep(testInfo, `chromium-${d.name}-stderr.log`, await readFile(path), 'text/plain');
  }
  await keep(testInfo, 'timeline.log', logs.text(), 'text/plain');
}

export const test = base.extend<{ harness: Harness }>({
  // eslint-disable-next-line no-empty-pattern -- Playwright reads the fixture's dependencies from this pattern
  harness: async ({}, use, testInfo) => {
    const tmp = await mkdtemp(join(tmpdir(), 'motcua-e2e-'));
    const logs = new LogSink();
    const servers: SyncServer[] = [];
    const devices: Device[] = [];
    logs.add(`[harness] ${testInfo.title} seed=${SEED} tmp=${tmp}`);
    const harness: Harness = {
      logs,
      tmp,
      async server() {
        const dataDir = join(tmp, `server-data-${servers.length}`);
        await mkdir(dataDir, { recursive: true });
        const s = new SyncServer({ port: await freePort(), dataDir, logs });
        servers.push(s);
        return s;
      },
      device(name, server) {
        const d = new Device(name, join(tmp, `profile-${name}`), server, logs, join(tmp, `chromium-${name}.log`));
        devices.push(d);
        return d;
      },
      note(text) {
        logs.add(`[test] ${text}`);
      },
    };

    await use(harness);

    const failed = testInfo.status !== testInfo.expectedStatus;
    if (failed) {
      await attachEvidence(testInfo, logs, devices, servers, tmp);
      console.log(`[e2e] ${testInfo.title} failed; seed=${SEED}; evidence kept in ${tmp}`);
    }
    for (const d of devices) await d.shutdown().catch(() => undefined);
    for (const s of servers) await s.stop().catch(() => undefined);
    if (!failed && !process.env['E2E_KEEP_TMP']) await rm(tmp, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';
