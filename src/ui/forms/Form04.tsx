/** Mẫu 04: Văn bản xin lỗi và hẹn lại ngày trả kết quả (sent before the deadline passes). */
import type { Issuer } from './Sheet.tsx';
import { Sheet, Signatures } from './Sheet.tsx';
import { placeOf, type DossierBasics } from './model.ts';
import { longTime } from './text.ts';

export interface ApologyData {
  issuer: Issuer;
  at: number;
  reason: string;
  previousDueAt: number | null;
  newDueAt: number;
}

export function Form04({ d, p }: { d: DossierBasics; p: ApologyData }) {
  return (
    <Sheet
      form="04"
      testId="form-04"
      issuer={p.issuer}
      number="Số: ....../XL"
      place={placeOf(d.unitName)}
      date={p.at}
      title="VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
      subtitle={<>Mã hồ sơ: <strong>{d.code}</strong></>}
    >
      <p class="center">
        Kính gửi: Ông/Bà <strong data-testid="form-addressee">{d.applicant.name}</strong>
      </p>
      <p>
        Ngày {longTime(d.receivedAt)}, Trung tâm Phục vụ hành chính công {d.unitName} tiếp nhận hồ sơ đề nghị giải quyết thủ tục hành chính{' '}
        <strong>{d.procedureName}</strong> của Ông/Bà, mã hồ sơ {d.code}.
      </p>
      <p>
        Thời hạn trả kết quả giải quyết hồ sơ theo giấy hẹn: <span data-testid="form-old-due">{p.previousDueAt === null ? '..........' : longTime(p.previousDueAt)}</span>.
      </p>
      <p data-testid="form-reason">Tuy nhiên, đến nay hồ sơ chưa giải quyết xong. Lý do: {p.reason}</p>
      <p>
        Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {p.issuer.name} xin lỗi Ông/Bà và xin hẹn lại thời gian trả kết quả vào:{' '}
        <strong data-testid="form-new-due">{longTime(p.newDueAt)}</strong>.
      </p>
      <p>Rất mong nhận được sự thông cảm của Ông/Bà.</p>
      <div class="footer-two">
        <div class="recipients">
          <div class="bold italic">Nơi nhận:</div>
          <div>- Ông/Bà {d.applicant.name};</div>
          <div>- Trung tâm PVHCC {d.unitName};</div>
          <div>- Lưu: VT.</div>
        </div>
        <Signatures blocks={[{ title: 'THỦ TRƯỞNG CƠ QUAN', hint: '(Ký, ghi rõ họ tên và đóng dấu)' }]} />
      </div>
    </Sheet>
  );
}
