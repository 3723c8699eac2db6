/** Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ (refusal, with the specific reason). */
import { centerIssuer, placeOf, type DossierBasics } from './model.ts';
import { Sheet, Signatures } from './Sheet.tsx';
import { longTime } from './text.ts';

export interface RefusalData {
  reason: string;
  at: number;
  officerName: string;
}

export function Form03({ d, r }: { d: DossierBasics; r: RefusalData }) {
  const a = d.applicant;
  return (
    <Sheet
      form="03"
      testId="form-03"
      issuer={centerIssuer(d.unitName)}
      number="Số: ....../TCHS"
      place={placeOf(d.unitName)}
      date={r.at}
      title="PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"
      subtitle={
        <>
          Mã hồ sơ: <strong data-testid="receipt-code">{d.code}</strong>
        </>
      }
    >
      <p>
        {centerIssuer(d.unitName).name} {d.unitName} tiếp nhận hồ sơ của: <strong data-testid="receipt-applicant">{a.name}</strong>
      </p>
      <p>Số định danh cá nhân (CCCD): {a.cccd}</p>
      <p>Địa chỉ: {a.address}</p>
      <p>
        Số điện thoại: {a.phone || '..........'} &nbsp; Email: {a.email || '..........'}
      </p>
      <p>
        Nội dung yêu cầu giải quyết: <strong data-testid="form-procedure">{d.procedureName}</strong>
      </p>
      <p>
        Thời gian nhận hồ sơ: <span data-testid="receipt-received-at">{longTime(d.receivedAt)}</span>
      </p>
      <p>
        Qua xem xét, {centerIssuer(d.unitName).name} {d.unitName} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:
      </p>
      <p class="reason" data-testid="form-reason">
        {r.reason}
      </p>
      <p>Xin thông báo để Ông/Bà được biết và thực hiện.</p>
      <Signatures
        blocks={[
          { title: 'NGƯỜI NỘP HỒ SƠ', name: a.name },
          { title: 'NGƯỜI TIẾP NHẬN HỒ SƠ', name: r.officerName },
        ]}
      />
    </Sheet>
  );
}
