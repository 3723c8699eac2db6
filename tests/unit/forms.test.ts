import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCalendar, dueAt } from '../../src/domain/calendar.ts';
import { parseCsv } from '../../src/domain/csv.ts';
import { currentDueAt, reduceDossier, sortEvents } from '../../src/domain/dossier.ts';
import type { DossierEvent } from '../../src/domain/dossier.ts';
import {
  apologyForm,
  controlSheetForm,
  fieldValue,
  receiptForm,
  refusalForm,
  registerCsv,
  registerForm,
  registerRows,
  stopNoticeForm,
  supplementRequestForm,
} from '../../src/domain/forms/index.ts';
import type { DossierSnapshot, FormView } from '../../src/domain/forms/index.ts';

const cal = buildCalendar(JSON.parse(readFileSync(new URL('../../public/data/holidays.json', import.meta.url), 'utf8')));
const vn = (m: number, d: number, h: number, min = 0): number => Date.UTC(2026, m - 1, d, h - 7, min);
const ev = (id: string, type: DossierEvent['type'], at: number, officer: string, data?: DossierEvent['data']): DossierEvent =>
  data === undefined ? { id, type, at, officer, device: `dev-${officer}` } : { id, type, at, officer, device: `dev-${officer}`, data };

const BODY = 'Văn phòng HĐND và UBND phường';
const log: DossierEvent[] = [
  ev('r', 'received', vn(2, 13, 10), 'o1'),
  ev('t', 'transferred', vn(2, 13, 10, 30), 'o1', { kind: 'commune_office', name: BODY }),
  ev('a', 'accepted', vn(2, 23, 8), 'o2'),
  ev('q', 'supplement_requested', vn(2, 23, 9), 'o2', { missing: JSON.stringify(['Giấy chứng sinh (cần bản chính, đã nhận bản sao)']), reason: 'Cần bản chính để đối chiếu' }),
  ev('qa', 'supplement_received', vn(2, 24, 9), 'o1'),
  ev('p', 'apologized', vn(2, 26, 9), 'o2', { newDueAt: vn(3, 2, 10), previousDueAt: vn(2, 26, 10), reason: 'Cần xác minh thêm' }),
  ev('s', 'resolved', vn(2, 27, 15), 'o2', { outcome: 'approved', documentNo: '15/GXN' }),
  ev('x', 'returned', vn(3, 2, 8), 'o1', { rating: 'satisfied' }),
  ev('x2', 'returned', vn(3, 2, 8, 5), 'o3'),
];

function snapshot(events: DossierEvent[], over: Partial<DossierSnapshot> = {}): DossierSnapshot {
  const state = reduceDossier(events);
  const base =
    state.receivedAt === null ? null : dueAt(cal, { receivedAt: state.receivedAt, processingDays: 3, sameDay15hRule: false, pauses: state.supplementPeriods });
  return {
    code: '20209-260213-0042',
    unitName: 'Phường Thanh Khê',
    procedureName: 'Cấp Giấy xác nhận tình trạng hôn nhân',
    processingDays: 3,
    applicant: { name: 'Nguyễn Văn An', cccd: '048095000123', phone: '0905123456', address: '12 Hà Huy Tập, Thanh Khê', email: 'an@example.vn', vneidVerified: true },
    components: [
      { name: 'Tờ khai', received: true, copyKind: 'original', count: 1 },
      { name: 'Giấy chứng sinh', received: true, copyKind: 'copy', count: 2 },
      { name: 'Giấy tờ không nộp', received: false },
    ],
    events: sortEvents(events),
    state,
    officerNames: { o1: 'Trần Thị Bình', o2: 'Lê Văn Cường' },
    receivedAt: state.receivedAt,
    baseDueAt: base,
    dueAt: base === null ? null : currentDueAt(events, base),
    ...over,
  };
}

const full = snapshot(log);
const cell = (v: FormView, table: string, row: number, col: number): string | undefined => v.tables.find((t) => t.key === table)?.rows[row]?.[col];

describe('Mẫu 01 receipt', () => {
  const f = receiptForm(snapshot(log.slice(0, 1)));
  it('has the code, the applicant, the statutory time and both date-times', () => {
    expect(f).toMatchObject({ form: '01', formLabel: 'Mẫu số 01', title: 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ', number: 'Số: 0042/TNHS', qr: '20209-260213-0042', reconstructed: true });
    expect(f.issuer).toEqual({ parent: 'ỦY BAN NHÂN DÂN PHƯỜNG THANH KHÊ', name: 'TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG' });
    expect(f.nationalHeading).toEqual(['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc']);
    expect(f.placeDate).toBe('Thanh Khê, ngày 13 tháng 02 năm 2026');
    expect(fieldValue(f, 'code')).toBe('20209-260213-0042');
    expect(fieldValue(f, 'applicant')).toBe('Nguyễn Văn An');
    expect(fieldValue(f, 'contact')).toBe('0905123456, an@example.vn');
    expect(fieldValue(f, 'vneid')).toBe('Đã xác thực');
    expect(fieldValue(f, 'processingTime')).toBe('03 ngày làm việc');
    expect(fieldValue(f, 'receivedAt')).toBe('10:00 ngày 13/02/2026');
    expect(fieldValue(f, 'dueAt')).toBe('10:00 ngày 25/02/2026');
    expect(fieldValue(f, 'collectAt')).toBe('Trung tâm Phục vụ hành chính công Phường Thanh Khê');
    expect(f.tables[0]?.rows).toEqual([
      ['1', 'Tờ khai', 'Bản chính', '1'],
      ['2', 'Giấy chứng sinh', 'Bản sao', '2'],
    ]);
    expect(f.signatures).toEqual([
      { title: 'NGƯỜI NỘP HỒ SƠ', name: 'Nguyễn Văn An' },
      { title: 'NGƯỜI TIẾP NHẬN HỒ SƠ', name: 'Trần Thị Bình' },
    ]);
  });
});

describe('Mẫu 02 and 03 at the counter', () => {
  it('lists the missing components of the request, with its reason and officer', () => {
    const f = supplementRequestForm(full);
    expect(f.number).toBe('Số: 0042/HDHS');
    expect(f.tables[0]?.rows).toEqual([['1', 'Giấy chứng sinh (cần bản chính, đã nhận bản sao)']]);
    expect(fieldValue(f, 'reason')).toBe('Cần bản chính để đối chiếu');
    expect(fieldValue(f, 'requestedAt')).toBe('09:00 ngày 23/02/2026');
    expect(fieldValue(f, 'guidance')).toMatch(/một lần đầy đủ/);
    expect(f.signatures).toEqual([{ title: 'NGƯỜI HƯỚNG DẪN', name: 'Lê Văn Cường' }]);
  });

  it('gives the refusal reason', () => {
    const refused = snapshot([ev('n', 'refused', vn(2, 13, 14), 'o1', { reason: 'Không thuộc thẩm quyền', atIntake: true })]);
    const f = refusalForm(refused);
    expect(f.form).toBe('03');
    expect(fieldValue(f, 'reason')).toBe('Không thuộc thẩm quyền');
    expect(fieldValue(f, 'refusedAt')).toBe('14:00 ngày 13/02/2026');
    expect(f.placeDate).toBe('Thanh Khê, ngày 13 tháng 02 năm 2026');
  });
});

describe('Mẫu 04 and 05 from the processing body', () => {
  it('apologizes with the original and the new appointment', () => {
    const f = apologyForm(full);
    expect(f.issuer).toEqual({ parent: 'ỦY BAN NHÂN DÂN PHƯỜNG THANH KHÊ', name: BODY.toUpperCase() });
    expect(fieldValue(f, 'addressee')).toBe('Ông/Bà Nguyễn Văn An');
    expect(fieldValue(f, 'previousDueAt')).toBe('10:00 ngày 26/02/2026');
    expect(fieldValue(f, 'newDueAt')).toBe('10:00 ngày 02/03/2026');
    expect(fieldValue(f, 'reason')).toBe('Cần xác minh thêm');
    expect(fieldValue(f, 'apology')).toBe(`${BODY} xin lỗi Ông/Bà vì sự chậm trễ này và hẹn trả kết quả vào thời gian dưới đây.`);
    expect(f.signatures[0]?.name).toBe('Lê Văn Cường');
  });

  it('notifies a stop with its reason', () => {
    const stopped = snapshot([...log.slice(0, 3), ev('z', 'stopped', vn(2, 25, 10), 'o2', { reason: 'Công dân đề nghị dừng' })]);
    const f = stopNoticeForm(stopped);
    expect(f.title).toBe('THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ');
    expect(fieldValue(f, 'reason')).toBe('Công dân đề nghị dừng');
    expect(fieldValue(f, 'stoppedAt')).toBe('10:00 ngày 25/02/2026');
  });
});

describe('Mẫu 06 control sheet', () => {
  it('is the timeline, each step judged against the due date in force before it', () => {
    expect(full.baseDueAt).toBe(vn(2, 26, 10)); // 25/02 10:00 plus 8 working hours of supplement wait
    const f = controlSheetForm(full);
    const rows = f.tables[0]?.rows ?? [];
    expect(rows.map((r) => r[2])).toEqual([
      'Tiếp nhận', 'Chuyển xử lý', 'Nhận xử lý', 'Yêu cầu bổ sung', 'Nhận hồ sơ bổ sung', 'Xin lỗi và hẹn lại ngày trả', 'Giải quyết xong', 'Trả kết quả', 'Trả kết quả',
    ]);
    expect(rows.map((r) => r[5])).toEqual(['Trước hạn', 'Trước hạn', 'Trước hạn', 'Trước hạn', 'Trước hạn', 'Đúng hạn', 'Trước hạn', 'Đúng hạn', '']);
    expect(rows.map((r) => r[1])).toEqual([
      'Trung tâm Phục vụ hành chính công Phường Thanh Khê', 'Trung tâm Phục vụ hành chính công Phường Thanh Khê', BODY, BODY, BODY, BODY, BODY,
      // The result comes back: the center returns it (both returns, one of them in conflict).
      'Trung tâm Phục vụ hành chính công Phường Thanh Khê', 'Trung tâm Phục vụ hành chính công Phường Thanh Khê',
    ]);
    expect(cell(f, 'timeline', 6, 6)).toBe('Kết quả: văn bản số 15/GXN');
    expect(cell(f, 'timeline', 7, 6)).toBe('Đánh giá: Hài lòng');
    expect(cell(f, 'timeline', 8, 6)).toBe('Xung đột – cần người xử lý');
    expect(cell(f, 'timeline', 8, 4)).toBe('o3');
    expect(fieldValue(f, 'dueAt')).toBe('10:00 ngày 02/03/2026');
  });

  it('marks a late step when no apology moved the date', () => {
    const noApology = snapshot(log.filter((e) => e.id !== 'p'));
    const rows = controlSheetForm(noApology).tables[0]?.rows ?? [];
    expect(rows.find((r) => r[2] === 'Giải quyết xong')?.[5]).toBe('Quá hạn');
  });
});

describe('Mẫu 07 register', () => {
  const refused = snapshot([ev('n', 'refused', vn(2, 13, 9), 'o1', { reason: 'x', atIntake: true })], { code: '20209-260213-0041', applicant: { name: 'Phạm "Bé" Ba', cccd: '', phone: '', address: 'Hải Châu' } });
  const otherDay = snapshot([ev('o', 'received', vn(2, 12, 9), 'o1')], { code: '20209-260212-0001' });
  const rows = registerRows([full, otherDay, refused], '2026-02-13');

  it('lists the day’s dossiers in intake order', () => {
    expect(rows.map((r) => [r.seq, r.code, r.status])).toEqual([
      [1, '20209-260213-0041', 'Đã từ chối'],
      [2, '20209-260213-0042', 'Đã trả kết quả'],
    ]);
    expect(rows[1]).toMatchObject({ body: BODY, addressPhone: '12 Hà Huy Tập, Thanh Khê, 0905123456' });
    expect(rows[1]?.note).toBe('Văn bản số 15/GXN; Đã xin lỗi, hẹn lại; 1 xung đột cần xử lý');
    const f = registerForm(rows, '2026-02-13', 'Phường Thanh Khê');
    expect(f.placeDate).toBe('Thanh Khê, ngày 13 tháng 02 năm 2026');
    expect(f.tables[0]?.rows).toHaveLength(2);
  });

  it('exports CSV with a BOM, a Vietnamese header and quoted fields', () => {
    const csv = registerCsv(rows, '2026-02-13');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.split('\r\n')[0]).toBe(
      '\uFEFFNgày sổ,STT,Mã hồ sơ,Tên thủ tục hành chính,Số lượng hồ sơ (bộ),"Tên cá nhân, tổ chức","Địa chỉ, số điện thoại",' +
        'Cơ quan chủ trì giải quyết,Ngày nhận hồ sơ,Ngày hẹn trả kết quả,Ngày chuyển hồ sơ,Ngày có kết quả,Ngày trả kết quả,Trạng thái,Ghi chú',
    );
    expect(csv).toContain('"Phạm ""Bé"" Ba"');
    const parsed = parseCsv(csv).records.map((r) => r.fields);
    expect(parsed).toHaveLength(3);
    expect(parsed[2]?.slice(0, 3)).toEqual(['13/02/2026', '2', '20209-260213-0042']);
    expect(parsed[2]?.[6]).toBe('12 Hà Huy Tập, Thanh Khê, 0905123456');
    expect(parsed[2]?.slice(8, 13)).toEqual(['13/02/2026 10:00', '02/03/2026 10:00', '13/02/2026 10:30', '27/02/2026 15:00', '02/03/2026 08:00']);
  });
});
