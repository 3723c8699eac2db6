/**
 * Exports of the dossier projection (S18) for the systems the city runs in parallel and reconciles
 * with: `GET /api/admin/export/dossiers?from=YYYY-MM-DD&to=YYYY-MM-DD[&unit=U][&format=csv|json]`.
 * The period is of reception days in Vietnam (UTC+7), both days included. The answer is streamed in
 * pages, so a city-wide year never sits in memory whole.
 */
import type { ServerResponse } from 'node:http';
import { BOM, csvField } from '../src/domain/csv.ts';
import { dayKeyStart, VN_OFFSET_MS } from '../src/domain/time.ts';
import { badRequest } from './http-util.ts';
import type { DossierQuery, DossierRecord } from './store/projection-types.ts';
import type { SyncStore } from './store/types.ts';

const DAY_MS = 86_400_000;
const PAGE = 5_000;
/** More than a few years is not a report: ask for it in parts. */
const MAX_PERIOD_DAYS = 3 * 366;

/** UTC ms of 00:00 in Vietnam on an ISO day (the domain's day arithmetic, 2000-2099), or null. */
function dayStart(iso: string | null): number | null {
  const m = /^20(\d{2})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return m === null ? null : dayKeyStart(`${m[1]}${m[2]}${m[3]}`);
}

export interface ExportRequest {
  readonly query: Omit<DossierQuery, 'limit' | 'after'>;
  readonly format: 'csv' | 'json';
}

/** Checks the query string; a bad one is a 400 with a Vietnamese message. */
export function parseExport(params: URLSearchParams, unit: string | undefined): ExportRequest {
  const from = dayStart(params.get('from'));
  const toDay = dayStart(params.get('to'));
  if (from === null || toDay === null) throw badRequest('Tham số from và to phải là ngày dạng YYYY-MM-DD');
  const to = toDay + DAY_MS;
  if (to <= from) throw badRequest('Ngày "to" phải không sớm hơn ngày "from"');
  if (to - from > MAX_PERIOD_DAYS * DAY_MS) throw badRequest('Khoảng thời gian tối đa là 3 năm');
  const format = params.get('format') ?? 'json';
  if (format !== 'csv' && format !== 'json') throw badRequest('Tham số format phải là csv hoặc json');
  return { query: { from, to, ...(unit === undefined ? {} : { unit }) }, format };
}

export const EXPORT_COLUMNS = [
  'doc',
  'unit',
  'code',
  'procedureCode',
  'procedureName',
  'status',
  'receivedAt',
  'dueAt',
  'resolvedAt',
  'returnedAt',
  'rating',
  'handler',
  'conflicts',
  'events',
] as const;

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/** One record as a CSV line; every text cell through csvField, which neutralises formulas. */
export function csvLine(d: DossierRecord): string {
  return EXPORT_COLUMNS.map((c) => {
    const v = d[c];
    if (c === 'receivedAt' || c === 'dueAt' || c === 'resolvedAt' || c === 'returnedAt') return iso(v as number | null);
    return csvField(v === null ? '' : String(v));
  }).join(',');
}

/** Pages of the export, each read after the last record of the previous one. */
async function* pages(store: SyncStore, query: ExportRequest['query']): AsyncGenerator<DossierRecord[]> {
  let after: DossierQuery['after'];
  for (;;) {
    const page = await store.exportDossiers({ ...query, limit: PAGE, ...(after === undefined ? {} : { after }) });
    if (page.length > 0) yield page;
    const last = page[page.length - 1];
    if (last === undefined || page.length < PAGE) return;
    after = { receivedAt: last.receivedAt ?? 0, doc: last.doc };
  }
}

/** Streams the export: CSV (UTF-8 with BOM, for Excel, times in ISO UTC) or a JSON array. */
export async function sendExport(res: ServerResponse, store: SyncStore, req: ExportRequest): Promise<number> {
  const name = `ho-so_${req.query.unit ?? 'tat-ca'}_${new Date(req.query.from + VN_OFFSET_MS).toISOString().slice(0, 10)}`;
  res.writeHead(200, {
    'content-type': req.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    'content-disposition': `attachment; filename="${name}.${req.format}"`,
    'cache-control': 'no-store',
  });
  let count = 0;
  if (req.format === 'csv') res.write(`${BOM}${EXPORT_COLUMNS.join(',')}\r\n`);
  else res.write('[');
  for await (const page of pages(store, req.query)) {
    if (req.format === 'csv') res.write(page.map(csvLine).join('\r\n') + '\r\n');
    else res.write((count > 0 ? ',' : '') + page.map((d) => JSON.stringify(d)).join(','));
    count += page.length;
  }
  if (req.format === 'json') res.write(']');
  res.end();
  return count;
}
