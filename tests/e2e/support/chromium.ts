/**
 * A real Chromium that we launch ourselves, so a test can cut its power.
 *
 * Playwright's own launchers own the browser process and close it politely. A power cut is the
 * opposite: SIGKILL to the whole process group (browser, zygote, renderers, GPU and network
 * services) with no chance to flush anything. So we spawn Chromium detached (its own process group),
 * read the DevTools endpoint from its stderr, and attach Playwright over CDP. The profile directory
 * outlives the process: relaunching on it is "the laptop booted again".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { attachConsole, type LogSink } from './logs.ts';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--no-default-browser-check',
  '--disable-dev-shm-usage',
  // A killed browser must not pop "restore pages?" or discard the profile's state on relaunch.
  '--hide-crash-restore-bubble',
];

const DEVTOOLS_RE = /DevTools listening on (ws:\/\/\S+)/;

export interface LaunchOptions {
  /** The persistent profile (user data dir). Reusing it after a kill is the point. */
  readonly profileDir: string;
  /** Short name for logs ("A", "B", ...). */
  readonly name: string;
  readonly logs: LogSink;
  /** Where Chromium's own stderr goes (appended). */
  readonly stderrFile: string;
  readonly timeoutMs?: number;
}

export class ChromiumProcess {
  private exited: Promise<void>;
  private dead = false;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly browser: Browser,
    readonly context: BrowserContext,
    private readonly stderr: WriteStream,
    /** The browser's DevTools WebSocket (ws://127.0.0.1:port/devtools/browser/id), for raw CDP clients. */
    readonly endpoint: string,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    void this.exited.then(() => {
      this.dead = true;
    });
  }

  static async launch(opts: LaunchOptions): Promise<ChromiumProcess> {
    const stderr = createWriteStream(opts.stderrFile, { flags: 'a' });
    stderr.write(`\n=== launch ${opts.name} ${new Date().toISOString()} profile=${opts.profileDir}\n`);
    const child = spawn(
      CHROMIUM_PATH,
      [...CHROMIUM_ARGS, '--remote-debugging-port=0', `--user-data-dir=${opts.profileDir}`, 'about:blank'],
      // detached: a new process group, so kill(-pid) reaches every Chromium process at once.
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const endpoint = await new Promise<string>((resolve, reject) => {
      let buf = '';
      const timer = setTimeout(
        () => reject(new Error(`Chromium ${opts.name} printed no DevTools endpoint in time; stderr:\n${buf.slice(-2000)}`)),
        opts.timeoutMs ?? 30_000,
      );
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr.write(chunk);
        buf += chunk.toString('utf8');
        const m = DEVTOOLS_RE.exec(buf);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`Chromium ${opts.name} exited (code ${code}, signal ${signal}) before DevTools; stderr:\n${buf.slice(-2000)}`));
      });
    });
    const browser = await chromium.connectOverCDP(endpoint, { timeout: opts.timeoutMs ?? 30_000 });
    const context = browser.contexts()[0];
    if (!context) throw new Error(`Chromium ${opts.name}: no default context over CDP`);
    attachConsole(context, opts.name, opts.logs);
    opts.logs.add(`[${opts.name}] chromium pid=${child.pid} ${endpoint}`);
    return new ChromiumProcess(opts.name, child, browser, context, stderr, endpoint);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('Chromium has no pid');
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** The first tab (Chromium opens about:blank), or a new one. */
  async page(): Promise<Page> {
    return this.context.pages()[0] ?? (await this.context.newPage());
  }

  /**
   * The power cut: SIGKILL to the whole process group, then wait until no process of the group is
   * left (a surviving network service or renderer could still be flushing to the profile).
   */
  async powerCut(): Promise<void> {
    if (this.dead) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
    await this.exited;
    await waitGroupGone(this.pid);
    this.stderr.end();
  }

  /** A polite close (test teardown). Falls back to the power cut. */
  async close(): Promise<void> {
    if (this.dead) return;
    await Promise.race([this.browser.close().catch(() => undefined), sleep(5_000)]);
    await this.powerCut();
  }
}

async function waitGroupGone(pgid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const left = await liveGroupMembers(pgid);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`Chromium process group ${pgid} survived SIGKILL: ${left.join(', ')}`);
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // ESRCH: gone between the scan and the kill
    }
    await sleep(50);
  }
}

/**
 * Pids of the group that are not zombies. kill(-pgid, 0) is not enough: in a container whose init
 * does not reap orphans, the group's killed renderers stay zombies forever, holding nothing.
 */
async function liveGroupMembers(pgid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = await readFile(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') out.push(Number(entry));
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
