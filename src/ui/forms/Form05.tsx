/** Mẫu 05: Thông báo dừng giải quyết hồ sơ (new in Circular 03/2025; field list not retrieved). */
import type { Issuer } from './Sheet.tsx';
import { Sheet, Signatures } from './Sheet.tsx';
import { placeOf, type DossierBasics } from './model.ts';
import { longTime } from './text.ts';

export interface StopData {
  issuer: Issuer;
  at: number;
  reason: string;
}

export function Form05({ d, s }: { d: DossierBasics; s: StopData }) {
  return (
    <Sheet
      form="05"
      testId="form-05"
      issuer={s.issuer}
      number="Số: ....../TB-DGQ"
      place={placeOf(d.unitName)}
      date={s.at}
      title="THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"
      subtitle={<>Mã hồ sơ: <strong>{d.code}</strong></>}
    >
      <p class="center">
        Kính gửi: Ông/Bà <strong data-testid="form-addressee">{d.applicant.name}</strong>
      </p>
      <p>Địa chỉ: {d.applicant.address}</p>
      <p>
        Ngày {longTime(d.receivedAt)}, Trung tâm Phục vụ hành chính công {d.unitName} tiếp nhận hồ sơ đề nghị giải quyết thủ tục hành chính{' '}
        <strong>{d.procedureName}</strong> của Ông/Bà, mã hồ sơ {d.code}.
      </p>
      <p>
        {s.issuer.name} thông báo dừng giải quyết hồ sơ nêu trên kể từ ngày {longTime(s.at)}.
      </p>
      <p data-testid="form-reason">Lý do: {s.reason}</p>
      <p>Hồ sơ và các giấy tờ đã nộp được trả lại tại Trung tâm Phục vụ hành chính công {d.unitName}.</p>
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
