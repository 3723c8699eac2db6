/** main.ts (and the CLIs beside it) as child processes, as `npm start` / `npm run serve` run them. */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export const ROOT = new URL('../../', import.meta.url).pathname;

export interface Run {
  readonly lines: string[];
  readonly port: number;
  stop(): Promise<number | null>;
}

export interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a run: loopback, port 0, and DATABASE_URL / MOTCUA_MODE / TRUSTED_PROXY_HEADER
 * set even when empty, so the developer's shell does not change what is tested.
 */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, HOST: '127.0.0.1', PORT: '0', DATABASE_URL: '', MOTCUA_MODE: '', TRUSTED_PROXY_HEADER: '', ADMIN_TOKEN: '', ...env };
}

/** Starts `sync-server/main.ts` and resolves once it printed READY; rejects if it exits first. */
export function startMain(env: Record<string, string>, args: readonly string[] = []): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sync-server/main.ts', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    void exited.then((code) => reject(new Error(`exited ${code} before READY:\n${lines.join('\n')}`)));
    if (child.stdout === null) throw new Error('no stdout');
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      const m = /^READY port=(\d+)$/.exec(line);
      if (m === null) return;
      resolve({
        lines,
        port: Number(m[1]),
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

/** Runs a script of sync-server/ to its end (a refused start, a CLI), with what it printed. */
export function runToExit(script: string, env: Record<string, string>, args: readonly string[] = []): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close': after both streams are drained.
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** The text after the last ': ' of the first line starting with `prefix`, or undefined. */
export function printed(lines: readonly string[], prefix: string): string | undefined {
  const line = lines.find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : line.slice(line.lastIndexOf(': ') + 2);
}
