/**
 * The procedure catalog (danh mục thủ tục hành chính) is data loaded at run time, never code: a
 * province publishes and amends it. A bad row is reported and skipped so one typo in the file does
 * not take every other procedure off the counter.
 */
import { foldVietnamese } from './search.ts';

/** How a component is handed in: bản chính, bản sao có chứng thực, bản sao (photo). */
export type CopyKind = 'original' | 'certified_copy' | 'copy';
export const COPY_KINDS: readonly CopyKind[] = ['original', 'certified_copy', 'copy'];

export interface ComponentSpec {
  name: string;
  copyKind: CopyKind;
  count: number;
}

export interface Procedure {
  code: string;
  name: string;
  field: string;
  level: string;
  /** Legal processing time in working days; 0 = same day (see processingRule for the 15:00 rule). */
  processingDays: number;
  /** 'hours': the time is stated in working hours (processingHours), and processingDays is 0. */
  processingUnit?: 'working_days' | 'hours';
  processingHours?: number;
  /** Same-day procedure received after 15:00 → due the next working day (default true for same-day ones). */
  sameDay15h?: boolean;
  processingRule?: string;
  /** Component names, in the catalog's order (componentSpecs, when present, has the same order). */
  components: readonly string[];
  /** Copy kind and count of each component when the catalog gives them (see componentSpecsOf). */
  componentSpecs?: ComponentSpec[];
  /** Fees and charges as the catalog states them (free text). */
  fees?: string;
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

const COPY_WORDS: Record<string, CopyKind> = {
  original: 'original',
  'ban chinh': 'original',
  certified_copy: 'certified_copy',
  'ban sao chung thuc': 'certified_copy',
  'ban sao co chung thuc': 'certified_copy',
  copy: 'copy',
  'ban sao': 'copy',
  'ban photo': 'copy',
  photo: 'copy',
};

/** A copy kind as written in a catalog ('original', 'bản chính', 'bản sao có chứng thực', …); '' = original. */
export function parseCopyKind(s: string): CopyKind | null {
  const folded = foldVietnamese(s);
  return folded === '' ? 'original' : (COPY_WORDS[folded] ?? null);
}

/** 'ngày làm việc' / 'giờ' (and the English names); a remark after the unit word is allowed. */
export function parseProcessingUnit(s: string): 'working_days' | 'hours' | null {
  const folded = foldVietnamese(s);
  if (folded === '' || folded === 'working_days' || /^ngay\b/.test(folded)) return 'working_days';
  if (folded === 'hours' || /^gio\b/.test(folded)) return 'hours';
  return null;
}

/** One component: a name, or `{ name, copyKind?, count? }`. */
function parseComponent(c: unknown): ComponentSpec | string {
  if (nonEmpty(c)) return { name: c.trim(), copyKind: 'original', count: 1 };
  if (!isRow(c) || !nonEmpty(c.name)) return 'thành phần hồ sơ (components) phải là tên giấy tờ hoặc { name, copyKind, count }';
  const kind = c.copyKind === undefined ? 'original' : typeof c.copyKind === 'string' ? parseCopyKind(c.copyKind) : null;
  if (kind === null) return `loại bản của "${c.name.trim()}" phải là bản chính, bản sao có chứng thực hoặc bản sao`;
  const count = c.count ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) return `số lượng của "${c.name.trim()}" phải là số nguyên dương`;
  return { name: c.name.trim(), copyKind: kind, count };
}

/**
 * One catalog entry: the procedure, or the reason (Vietnamese) it was rejected. Shared by the JSON
 * catalog and the CSV import (catalog-import.ts), so both accept exactly the same procedures.
 */
export function parseProcedure(v: unknown): Procedure | string {
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
  const rawComponents = v.components ?? [];
  if (!Array.isArray(rawComponents)) return 'thành phần hồ sơ (components) phải là danh sách tên giấy tờ';
  const specs: ComponentSpec[] = [];
  for (const c of rawComponents as unknown[]) {
    const spec = parseComponent(c);
    if (typeof spec === 'string') return spec;
    specs.push(spec);
  }
  for (const key of ['processingRule', 'authority', 'code', 'fee', 'fees', 'notes', 'processingUnit'] as const) {
    if (v[key] !== undefined && v[key] !== null && typeof v[key] !== 'string') return `trường ${key} phải là chuỗi`;
  }
  const extended = v.extendedDaysIfVerification;
  if (extended !== undefined && extended !== null && (typeof extended !== 'number' || !Number.isInteger(extended) || extended < 0)) {
    return 'thời hạn khi phải xác minh (extendedDaysIfVerification) phải là số ngày nguyên không âm';
  }
  const unit = typeof v.processingUnit === 'string' ? parseProcessingUnit(v.processingUnit) : 'working_days';
  if (unit === null) return 'đơn vị thời hạn (processingUnit) phải là "ngày làm việc" hoặc "giờ"';
  if (v.sameDay15h !== undefined && v.sameDay15h !== null && typeof v.sameDay15h !== 'boolean') return 'trường sameDay15h phải là true hoặc false';

  const p: Procedure = { code, name, field: v.field.trim(), level: v.level.trim(), processingDays: days, components: specs.map((c) => c.name) };
  if (unit === 'hours') {
    p.processingUnit = 'hours';
    p.processingHours = days;
    p.processingDays = 0;
  } else if (v.processingUnit !== undefined && v.processingUnit !== null) {
    p.processingUnit = 'working_days';
  }
  if (typeof v.sameDay15h === 'boolean') p.sameDay15h = v.sameDay15h;
  // Same-day procedures follow the 15:00 rule unless the catalog says otherwise (data README;
  // every same-day entry of the shipped catalog states it in its processingRule).
  else if (p.processingDays === 0 && unit !== 'hours') p.sameDay15h = true;
  if (rawComponents.some((c) => typeof c !== 'string')) p.componentSpecs = specs;
  if (nonEmpty(v.processingRule)) p.processingRule = v.processingRule;
  if (nonEmpty(v.authority)) p.authority = v.authority;
  if (nonEmpty(v.code)) p.nationalCode = v.code.trim();
  if (typeof extended === 'number') p.extendedDaysIfVerification = extended;
  if (nonEmpty(v.fee)) p.fee = v.fee;
  const fees = nonEmpty(v.fees) ? v.fees : nonEmpty(v.fee) ? v.fee : undefined;
  if (fees !== undefined) p.fees = fees.trim();
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
    const parsed = parseProcedure(entry);
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

/** Each component with its copy kind and count; one original each where the catalog says nothing. */
export function componentSpecsOf(p: Procedure): ComponentSpec[] {
  return p.componentSpecs?.map((c) => ({ ...c })) ?? p.components.map((name) => ({ name, copyKind: 'original' as const, count: 1 }));
}

/** The processing-time part of calendar.ts `dueAt`'s input for a procedure. */
export function processingTime(p: Procedure): { processingDays: number; processingHours: number; sameDay15hRule: boolean } {
  return { processingDays: p.processingDays, processingHours: p.processingHours ?? 0, sameDay15hRule: p.sameDay15h ?? (p.processingDays === 0 && (p.processingHours ?? 0) === 0) };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "03 ngày làm việc", "08 giờ làm việc", "Trong ngày" (as printed on the receipt). */
export function processingTimeLabel(p: Pick<Procedure, 'processingDays' | 'processingHours'>): string {
  if ((p.processingHours ?? 0) > 0) return `${pad2(p.processingHours ?? 0)} giờ làm việc`;
  return p.processingDays === 0 ? 'Trong ngày' : `${pad2(p.processingDays)} ngày làm việc`;
}

export function copyKindLabel(k: CopyKind): string {
  return k === 'original' ? 'Bản chính' : k === 'certified_copy' ? 'Bản sao có chứng thực' : 'Bản sao';
}
