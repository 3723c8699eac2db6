/**
 * The procedure catalog (danh mục thủ tục hành chính) is data loaded at run time, never code: a
 * province publishes and amends it. A bad row is reported and skipped so one typo in the file does
 * not take every other procedure off the counter.
 */
import { foldVietnamese } from './search.ts';

export interface Procedure {
  code: string;
  name: string;
  field: string;
  level: string;
  /** Legal processing time in working days; 0 = same day (see processingRule for the 15:00 rule). */
  processingDays: number;
  processingRule?: string;
  components: readonly string[];
  authority?: string;
  /** National procedure code (e.g. '1.004873') when the source gives one. */
  nationalCode?: string;
  /** Longer time allowed when verification is needed, in working days. */
  extendedDaysIfVerification?: number;
  fee?: string;
  notes?: string;
}

/**
 * A stable code derived from the name: 'Đăng ký khai sinh' → 'dang-ky-khai-sinh'. Dossiers store
 * this code, so it must not depend on the entry's position or on spelling variants of tone marks.
 */
export function procedureCode(name: string): string {
  return foldVietnamese(name.normalize('NFC'))
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

type Row = Record<string, unknown>;

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** Parses one entry: the procedure, or the reason (Vietnamese) it was rejected. */
function parseEntry(v: unknown): Procedure | string {
  if (!isRow(v)) return 'không phải một thủ tục (cần một đối tượng JSON)';
  if (!nonEmpty(v.name)) return 'thiếu tên thủ tục';
  const name = v.name.trim();
  const code = procedureCode(name);
  if (code === '') return 'tên thủ tục không có chữ hoặc số';
  if (!nonEmpty(v.field)) return 'thiếu lĩnh vực';
  if (!nonEmpty(v.level)) return 'thiếu cấp thực hiện';
  const days = v.processingDays;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 0) {
    return 'thời hạn giải quyết (processingDays) phải là số ngày nguyên không âm';
  }
  const components = v.components ?? [];
  if (!Array.isArray(components) || !components.every(nonEmpty)) {
    return 'thành phần hồ sơ (components) phải là danh sách tên giấy tờ';
  }
  for (const key of ['processingRule', 'authority', 'code', 'fee', 'notes'] as const) {
    if (v[key] !== undefined && v[key] !== null && typeof v[key] !== 'string') return `trường ${key} phải là chuỗi`;
  }
  const extended = v.extendedDaysIfVerification;
  if (extended !== undefined && extended !== null && (typeof extended !== 'number' || !Number.isInteger(extended) || extended < 0)) {
    return 'thời hạn khi phải xác minh (extendedDaysIfVerification) phải là số ngày nguyên không âm';
  }

  const p: Procedure = { code, name, field: v.field.trim(), level: v.level.trim(), processingDays: days, components: components.map((c) => c.trim()) };
  if (nonEmpty(v.processingRule)) p.processingRule = v.processingRule;
  if (nonEmpty(v.authority)) p.authority = v.authority;
  if (nonEmpty(v.code)) p.nationalCode = v.code.trim();
  if (typeof extended === 'number') p.extendedDaysIfVerification = extended;
  if (nonEmpty(v.fee)) p.fee = v.fee;
  if (nonEmpty(v.notes)) p.notes = v.notes;
  return p;
}

/** Valid procedures, and one Vietnamese message per rejected entry naming its index in the array. */
export function parseCatalog(json: unknown): { procedures: Procedure[]; errors: string[] } {
  if (!Array.isArray(json)) return { procedures: [], errors: ['Danh mục thủ tục phải là một danh sách (mảng JSON)'] };
  const procedures: Procedure[] = [];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  const rows: readonly unknown[] = json;
  rows.forEach((entry, index) => {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') {
      errors.push(`Mục ${index}: ${parsed}`);
      return;
    }
    const first = seen.get(parsed.code);
    if (first !== undefined) {
      errors.push(`Mục ${index}: trùng mã thủ tục "${parsed.code}" với mục ${first}`);
      return;
    }
    seen.set(parsed.code, index);
    procedures.push(parsed);
  });
  return { procedures, errors };
}

export function findProcedure(procs: readonly Procedure[], code: string): Procedure | undefined {
  return procs.find((p) => p.code === code);
}
