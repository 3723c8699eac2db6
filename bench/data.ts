/**
 * Realistic, seeded benchmark data: the busiest ward's dossiers as the app would have written them.
 * Names with diacritics, CCCDs of several provinces (both centuries, both sexes), the procedure mix
 * of a ward (mostly civil status and certification), 4 events per dossier. Each dossier comes out as
 * its plain record (what gzip of "the same records as JSON" compresses) and as the Yjs updates the
 * worker would have produced, built by the app's own functions (newDossierUpdate, appendEventUpdate).
 */
import type { DossierEvent } from '../src/domain/dossier.ts';
import { formatDossierCode } from '../src/domain/dossier-code.ts';
import { vnDayKey } from '../src/domain/time.ts';
import { dossierDocName } from '../src/protocol/doc-names.ts';
import { appendEventUpdate, docFromUpdates, newDossierUpdate, writerIdOf, type DossierFields } from '../src/worker/dossier-doc.ts';

export const BENCH_UNIT = '20209';

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Trương', 'Đoàn', 'Mai', 'Tạ'];
const MIDDLE_M = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thành', 'Công', 'Xuân', 'Trọng', 'Ngọc', 'Gia', 'Anh'];
const MIDDLE_F = ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mỹ', 'Bảo', 'Diệu', 'Phương', 'Khánh'];
const GIVEN_M = ['An', 'Bình', 'Cường', 'Dũng', 'Đạt', 'Hiếu', 'Hùng', 'Khánh', 'Lộc', 'Nghĩa', 'Phúc', 'Quân', 'Sơn', 'Thắng', 'Tuấn', 'Việt', 'Vĩnh', 'Hưng', 'Trí', 'Long', 'Nhân', 'Tài'];
const GIVEN_F = ['Ánh', 'Bích', 'Châu', 'Diễm', 'Giang', 'Hà', 'Hằng', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Nga', 'Ngân', 'Nhung', 'Oanh', 'Phượng', 'Quỳnh', 'Thảo', 'Trang', 'Uyên', 'Yến'];
const STREETS = ['Hà Huy Tập', 'Điện Biên Phủ', 'Hùng Vương', 'Lê Duẩn', 'Trần Cao Vân', 'Nguyễn Tất Thành', 'Hải Phòng', 'Lý Thái Tổ', 'Ông Ích Khiêm', 'Thái Thị Bôi', 'Dũng Sĩ Thanh Khê', 'Phan Thanh'];
/** Provinces a Đà Nẵng ward's applicants are born in: mostly Đà Nẵng and Quảng Nam, then the region. */
const PROVINCES = ['048', '048', '048', '048', '049', '049', '046', '045', '051', '052', '001', '079', '044', '054'];

/** A ward's mix: [procedure code, name, processing days, weight]. */
export const MIX: readonly (readonly [string, string, number, number])[] = [
  ['chung-thuc-ban-sao', 'Chứng thực bản sao từ bản chính', 0, 30],
  ['chung-thuc-chu-ky', 'Chứng thực chữ ký trong các giấy tờ, văn bản', 0, 12],
  ['dang-ky-khai-sinh', 'Đăng ký khai sinh', 0, 10],
  ['xac-nhan-tinh-trang-hon-nhan', 'Cấp Giấy xác nhận tình trạng hôn nhân', 3, 10],
  ['dang-ky-thuong-tru', 'Đăng ký thường trú', 7, 9],
  ['dang-ky-ket-hon', 'Đăng ký kết hôn (trong nước)', 0, 6],
  ['dang-ky-khai-tu', 'Đăng ký khai tử', 0, 4],
  ['trich-luc-ho-tich', 'Cấp bản sao trích lục hộ tịch', 0, 8],
  ['xac-nhan-cu-tru', 'Xác nhận thông tin về cư trú', 1, 6],
  ['cap-phep-xay-dung', 'Cấp giấy phép xây dựng nhà ở riêng lẻ', 15, 3],
  ['dang-ky-ho-kinh-doanh', 'Đăng ký thành lập hộ kinh doanh', 3, 2],
];
const MIX_TOTAL = MIX.reduce((s, m) => s + m[3], 0);

/** mulberry32: small and fast; the same seed gives the same ward. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BenchDossier {
  docName: string;
  fields: DossierFields;
  events: DossierEvent[];
}

export interface WardOptions {
  seed: number;
  /** First day of the data, ms; dossiers are spread 1,200 a working day from there. */
  start: number;
  perDay?: number;
  officers?: readonly string[];
  device?: string;
}

function pick<T>(r: () => number, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)] as T;
}

function digits(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(r() * 10));
  return s;
}

function hex(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
  return s;
}

/** A v4-shaped id from the seeded stream (crypto.randomUUID would make runs differ). */
function uuid(r: () => number): string {
  return `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-${(8 + Math.floor(r() * 4)).toString(16)}${hex(r, 3)}-${hex(r, 12)}`;
}

export function person(r: () => number): { name: string; cccd: string } {
  const female = r() < 0.5;
  const name = `${pick(r, FAMILY)} ${pick(r, female ? MIDDLE_F : MIDDLE_M)} ${pick(r, female ? GIVEN_F : GIVEN_M)}`;
  const born = 1950 + Math.floor(r() * 56);
  const century = (born >= 2000 ? 2 : 0) + (female ? 1 : 0);
  const cccd = `${pick(r, PROVINCES)}${century}${String(born % 100).padStart(2, '0')}${digits(r, 6)}`;
  return { name, cccd };
}

/** An applicant as an officer types them at the counter: name, CCCD, phone, street address. */
export function applicant(r: () => number): { name: string; cccd: string; phone: string; address: string } {
  const p = person(r);
  return { ...p, phone: `09${digits(r, 8)}`, address: `${1 + Math.floor(r() * 400)} ${pick(r, STREETS)}, Phường Thanh Khê, Đà Nẵng` };
}

/** Dossiers `from`..`from+count-1` of the ward, each independent of the others (any slice is the same data). */
export function* ward(o: WardOptions, from: number, count: number): Generator<BenchDossier> {
  const perDay = o.perDay ?? 1200;
  const officers = o.officers ?? ['off-demo', 'off-lan', 'off-hung', 'off-mai'];
  const device = o.device ?? 'dev-bench';
  for (let i = from; i < from + count; i++) {
    const r = prng(o.seed * 1_000_003 + i);
    const day = Math.floor(i / perDay);
    // Working days only; a day's intakes spread over 07:30-16:30 Vietnam time.
    const dayStart = o.start + Math.floor(day / 5) * 7 * 86_400_000 + (day % 5) * 86_400_000;
    const receivedAt = dayStart + Math.floor(((i % perDay) / perDay) * 9 * 3_600_000);
    let w = r() * MIX_TOTAL;
    const proc = MIX.find((m) => (w -= m[3]) < 0) ?? MIX[0];
    const [procedureCode, procedureName, processingDays] = proc as readonly [string, string, number, number];
    const p = person(r);
    const officer = pick(r, officers);
    const fields: DossierFields = {
      code: formatDossierCode(o.device === undefined ? BENCH_UNIT : BENCH_UNIT, vnDayKey(receivedAt), 1 + (i % perDay)),
      unit: BENCH_UNIT,
      procedureCode,
      procedureName,
      name: p.name,
      cccd: p.cccd,
      phone: `09${digits(r, 8)}`,
      address: `${1 + Math.floor(r() * 400)} ${pick(r, STREETS)}, Phường Thanh Khê, Đà Nẵng`,
      receivedAt,
      components: JSON.stringify([
        { name: 'Tờ khai theo mẫu', received: true, copyKind: 'original', count: 1 },
        { name: 'Giấy tờ tùy thân', received: true, copyKind: 'copy', count: 1 },
      ]),
      email: '',
      vneidVerified: r() < 0.7,
      residence: BENCH_UNIT,
      processingDays,
      processingHours: 0,
      sameDay15h: processingDays === 0,
      dueAt: receivedAt + Math.max(1, processingDays) * 86_400_000,
    };
    const base = { officer, officerName: officer, device };
    const h = 3_600_000;
    const events: DossierEvent[] = [
      { id: uuid(r), type: 'received', at: receivedAt, ...base },
      { id: uuid(r), type: 'transferred', at: receivedAt + h, ...base, data: { kind: 'commune_office', name: 'Văn phòng HĐND và UBND phường' } },
      { id: uuid(r), type: 'resolved', at: receivedAt + 3 * h, ...base, data: { outcome: 'approved', documentNo: `${1 + Math.floor(r() * 9999)}/QĐ-UBND` } },
      { id: uuid(r), type: 'returned', at: receivedAt + 5 * h, ...base, data: { rating: pick(r, ['very_satisfied', 'satisfied', 'satisfied', 'unsatisfied']) } },
    ];
    yield { docName: dossierDocName(BENCH_UNIT, uuid(r)), fields, events };
  }
}

/** The updates the app writes for a dossier: its intake, then one per workflow step (4 in all). */
export function updatesOf(d: BenchDossier, writer = writerIdOf(d.events[0]?.device ?? 'dev-bench')): Uint8Array[] {
  const [first, ...rest] = d.events;
  if (first === undefined) return [];
  const intake = newDossierUpdate(d.fields, first, writer);
  const out = [intake];
  const doc = docFromUpdates([intake], writer);
  for (const e of rest) out.push(appendEventUpdate(doc, e));
  doc.destroy();
  return out;
}

/** The same dossier as one plain JSON record: what the wire is compared with. */
export function jsonOf(d: BenchDossier): string {
  return JSON.stringify({ doc: d.docName, ...d.fields, events: d.events });
}
