/**
 * Importing procedures from a spreadsheet (CSV, as Excel or LibreOffice save it) and versioning a
 * catalog. A CSV row becomes the same entry the JSON catalog holds and goes through the same checks
 * (catalog.ts `parseProcedure`); a bad row is reported with its line and skipped, the good rows kept.
 *
 * Header row (English names, or the Vietnamese ones in HEADER_ALIASES, any order):
 *   name, code, field, level, processingDays, processingUnit, sameDay15h, components, fees, authority
 * components: `name|copy kind|count` separated by `;`, e.g. `Tờ khai|original|1;Giấy chứng sinh|copy|2`
 * (copy kind: original / certified_copy / copy, or bản chính / bản sao có chứng thực / bản sao).
 */
import { parseCopyKind, parseProcedure, type Procedure } from './catalog.ts';
import { parseCsv } from './csv.ts';
import { canonicalJson, fnv1a64 } from './hash.ts';
import { foldVietnamese } from './search.ts';

export const CSV_COLUMNS = [
  'name',
  'code',
  'field',
  'level',
  'processingDays',
  'processingUnit',
  'sameDay15h',
  'components',
  'fees',
  'authority',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['name', 'field', 'level', 'processingDays'];

/** Folded Vietnamese header names accepted for each column. */
export const HEADER_ALIASES: Readonly<Record<string, Column>> = {
  'ten thu tuc': 'name',
  'ma thu tuc': 'code',
  'linh vuc': 'field',
  'cap thuc hien': 'level',
  'thoi han giai quyet': 'processingDays',
  'don vi thoi han': 'processingUnit',
  'quy tac 15 gio': 'sameDay15h',
  'thanh phan ho so': 'components',
  'phi, le phi': 'fees',
  'le phi': 'fees',
  'co quan giai quyet': 'authority',
  'co quan co tham quyen': 'authority',
};

function columnOf(header: string): Column | undefined {
  const h = header.trim();
  const exact = CSV_COLUMNS.find((c) => c.toLowerCase() === h.toLowerCase());
  return exact ?? HEADER_ALIASES[foldVietnamese(h)];
}

const YES = new Set(['true', '1', 'x', 'co', 'yes']);
const NO = new Set(['false', '0', 'khong', 'no']);

/** The entry of one row in catalog JSON form, or why the row cannot be read. */
function rowEntry(get: (c: Column) => string): Record<string, unknown> | string {
  const entry: Record<string, unknown> = {};
  for (const c of ['name', 'code', 'field', 'level', 'processingUnit', 'fees', 'authority'] as const) {
    const v = get(c);
    if (v !== '') entry[c] = v;
  }
  const days = get('processingDays');
  if (!/^\d+$/.test(days)) return `thời hạn giải quyết "${days}" phải là số nguyên không âm`;
  entry.processingDays = Number(days);
  const same = foldVietnamese(get('sameDay15h'));
  if (YES.has(same)) entry.sameDay15h = true;
  else if (NO.has(same)) entry.sameDay15h = false;
  else if (same !== '') return `cột sameDay15h "${get('sameDay15h')}" phải là có/không (true/false)`;
  const components: { name: string; copyKind: string; count: number }[] = [];
  for (const part of get('components').split(';')) {
    if (part.trim() === '') continue;
    const [name = '', kind = '', count = '', ...extra] = part.split('|').map((x) => x.trim());
    if (name === '') return `thành phần hồ sơ "${part.trim()}" thiếu tên giấy tờ`;
    if (extra.length > 0) return `thành phần hồ sơ "${part.trim()}" có quá nhiều phần (tên|loại bản|số lượng)`;
    const copyKind = parseCopyKind(kind);
    if (copyKind === null) return `loại bản "${kind}" của "${name}" phải là bản chính, bản sao có chứng thực hoặc bản sao`;
    if (count !== '' && !/^[1-9]\d*$/.test(count)) return `số lượng "${count}" của "${name}" phải là số nguyên dương`;
    components.push({ name, copyKind, count: count === '' ? 1 : Number(count) });
  }
  entry.components = components;
  return entry;
}

export function parseCatalogCsv(text: string): { procedures: Procedure[]; errors: string[] } {
  const { records, error } = parseCsv(text);
  const errors: string[] = [];
  const procedures: Procedure[] = [];
  const [header, ...rows] = records;
  if (header === undefined) return { procedures, errors: ['Tệp CSV trống: cần một dòng tiêu đề và các dòng thủ tục'] };
  const columns = header.fields.map(columnOf);
  const unknown = header.fields.filter((_, i) => columns[i] === undefined && header.fields[i]?.trim() !== '');
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    return { procedures, errors: [`Dòng ${header.line}: thiếu cột bắt buộc ${missing.join(', ')}`] };
  }
  if (unknown.length > 0) errors.push(`Dòng ${header.line}: bỏ qua cột không dùng đến: ${unknown.join(', ')}`);
  const seen = new Map<string, number>();
  for (const row of rows) {
    if (row.fields.every((f) => f.trim() === '')) continue;
    if (row.fields.length !== header.fields.length) {
      errors.push(`Dòng ${row.line}: có ${row.fields.length} cột, dòng tiêu đề có ${header.fields.length} cột`);
      continue;
    }
    const get = (c: Column): string => {
      const i = columns.indexOf(c);
      return i < 0 ? '' : (row.fields[i] ?? '').trim();
    };
    const entry = rowEntry(get);
    const parsed = typeof entry === 'string' ? entry : parseProcedure(entry);
    if (typeof parsed === 'string') {
      errors.push(`Dòng ${row.line}: ${parsed}`);
      continue;
    }
    const first = seen.get(parsed.code);
    if (first !== undefined) {
      errors.push(`Dòng ${row.line}: trùng mã thủ tục "${parsed.code}" với dòng ${first}`);
      continue;
    }
    seen.set(parsed.code, row.line);
    procedures.push(parsed);
  }
  if (error !== undefined) errors.push(`Dòng ${error.line}: ${error.message}; phần còn lại của tệp không được đọc`);
  return { procedures, errors };
}

/**
 * A stable version of a catalog's content (16 hex digits): the same procedures give the same
 * version whatever their order or key order, and any change to any field gives another.
 */
export function catalogVersion(procs: readonly Procedure[]): string {
  const sorted = procs.slice().sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  return fnv1a64(canonicalJson(sorted));
}
