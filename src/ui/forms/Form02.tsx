/** Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (every missing document, listed once). */
import { centerIssuer, placeOf, receiptNumber, type DossierBasics } from './model.ts';
import { Sheet, Signatures } from './Sheet.tsx';
import { longTime } from './text.ts';

export interface SupplementData {
  missing: string[];
  reason: string;
  at: number;
  officerName: string;
}

export function Form02({ d, s }: { d: DossierBasics; s: SupplementData }) {
  const a = d.applicant;
  return (
    <Sheet
      form="02"
      testId="form-02"
      issuer={centerIssuer(d.unitName)}
      number={receiptNumber(d.code, 'HDHS')}
      place={placeOf(d.unitName)}
      date={s.at}
      title="PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"
      subtitle={
        <>
          Mã hồ sơ: <strong data-testid="receipt-code">{d.code}</strong>
        </>
      }
    >
      <p>
        Hồ sơ của Ông/Bà: <strong data-testid="receipt-applicant">{a.name}</strong>
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
      <p>Đề nghị Ông/Bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau (hướng dẫn một lần, đầy đủ):</p>
      <table class="lines" data-testid="form-missing">
        <thead>
          <tr>
            <th scope="col">TT</th>
            <th scope="col">Thành phần hồ sơ cần bổ sung, hoàn thiện</th>
            <th scope="col">Số lượng (bản chính/bản chứng thực/bản sao)</th>
          </tr>
        </thead>
        <tbody>
          {s.missing.map((m, i) => (
            <tr key={m} data-testid="form-missing-item">
              <td class="num">{i + 1}</td>
              <td>{m}</td>
              <td>01 bản chính hoặc bản sao chứng thực</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p data-testid="form-reason">Lý do: {s.reason}</p>
      <p>
        Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông/Bà liên hệ {centerIssuer(d.unitName).name} {d.unitName} để được hướng dẫn.
      </p>
      <Signatures blocks={[{ title: 'NGƯỜI HƯỚNG DẪN', name: s.officerName }]} />
    </Sheet>
  );
}
