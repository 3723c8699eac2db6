/**
 * Test applicants: Vietnamese names with diacritics, valid CCCDs, phones and Đà Nẵng addresses.
 * Seeded (E2E_SEED) so a failing run can be replayed with the same people; the seed is printed.
 */

export interface Applicant {
  readonly name: string;
  /** 12 digits: province 048 (Đà Nẵng), century/gender 0 (male, 1900s), birth year 95, then 6 random. */
  readonly cccd: string;
  readonly phone: string;
  readonly address: string;
}

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thành', 'Công', 'Xuân', 'Trọng', 'Ngọc'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Đạt', 'Hiếu', 'Hùng', 'Khánh', 'Lộc', 'Nghĩa', 'Phúc', 'Quân', 'Sơn', 'Thắng', 'Tuấn', 'Việt', 'Vĩnh', 'Ánh', 'Hưng', 'Trí'];
const STREETS = ['Hà Huy Tập', 'Điện Biên Phủ', 'Hùng Vương', 'Lê Duẩn', 'Trần Cao Vân', 'Nguyễn Tất Thành', 'Hải Phòng', 'Lý Thái Tổ'];

/** mulberry32: small, fast, good enough to pick names. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SEED = Number(process.env['E2E_SEED'] ?? Date.now() % 2_147_483_647);
const rand = mulberry32(SEED);

function pick<T>(items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new Error('empty list');
  return item;
}

function digits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rand() * 10));
  return s;
}

const usedCccd = new Set<string>();

export function randomCccd(): string {
  for (;;) {
    const cccd = `048095${digits(6)}`;
    if (!usedCccd.has(cccd)) {
      usedCccd.add(cccd);
      return cccd;
    }
  }
}

/** A male applicant born in 1995 (the CCCD says so), with a unique CCCD within the run. */
export function randomApplicant(): Applicant {
  const name = `${pick(FAMILY)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
  return {
    name,
    cccd: randomCccd(),
    phone: `09${digits(8)}`,
    address: `${1 + Math.floor(rand() * 300)} ${pick(STREETS)}, Phường Thanh Khê, Đà Nẵng`,
  };
}
