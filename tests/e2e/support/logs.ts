/**
 * One timeline per test: the pages' and workers' consoles, page errors, the sync server's stdout and
 * the test's own steps, with timestamps relative to the start. Attached to the report when a test fails.
 */
import type { BrowserContext, ConsoleMessage, Page, Worker } from '@playwright/test';

export class LogSink {
  private readonly start = Date.now();
  readonly lines: string[] = [];

  add(line: string): void {
    const t = ((Date.now() - this.start) / 1000).toFixed(3).padStart(8);
    this.lines.push(`${t}s ${line}`);
    if (process.env['E2E_VERBOSE']) console.log(`${t}s ${line}`);
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

function describe(msg: ConsoleMessage): string {
  const loc = msg.location();
  const where = loc.url ? ` (${loc.url.replace(/^https?:\/\/[^/]+/, '')}:${loc.lineNumber})` : '';
  return `${msg.type()}: ${msg.text()}${where}`;
}

function watchWorker(worker: Worker, label: string, sink: LogSink): void {
  sink.add(`[${label}] worker started ${worker.url()}`);
  worker.on('console', (msg) => sink.add(`[${label}] ${describe(msg)}`));
  worker.on('close', () => sink.add(`[${label}] worker closed ${worker.url()}`));
}

function watchPage(page: Page, name: string, sink: LogSink): void {
  page.on('console', (msg) => sink.add(`[${name} page] ${describe(msg)}`));
  page.on('pageerror', (err) => sink.add(`[${name} page] pageerror: ${err.stack ?? err.message}`));
  page.on('crash', () => sink.add(`[${name} page] CRASH`));
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) sink.add(`[${name} page] navigated ${frame.url()}`);
  });
  page.on('worker', (w) => watchWorker(w, `${name} worker`, sink));
  page.on('requestfailed', (req) => sink.add(`[${name} page] requestfailed ${req.method()} ${req.url()} ${req.failure()?.errorText ?? ''}`));
}

/** Follows every page and service worker of a context, present and future. */
export function attachConsole(context: BrowserContext, name: string, sink: LogSink): void {
  for (const page of context.pages()) watchPage(page, name, sink);
  context.on('page', (page) => watchPage(page, name, sink));
  for (const sw of context.serviceWorkers()) watchWorker(sw, `${name} sw`, sink);
  context.on('serviceworker', (sw) => watchWorker(sw, `${name} sw`, sink));
}
