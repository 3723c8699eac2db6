/** Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả (receipt and appointment). */
import { Qr } from '../components/Qr.tsx';
import { copyKindLabel, centerIssuer, placeOf, processingTimeText, receiptNumber, type DossierBasics } from './model.ts';
import { Sheet, Signatures } from './Sheet.tsx';
import { longTime } from './text.ts';

export function Form01({ d, collectAt }: { d: DossierBasics; collectAt: string }) {
  const received = d.components.filter((c) => c.received);
  const a = d.applicant;
  return (
    <Sheet
      form="01"
      testId="form-01"
      issuer={centerIssuer(d.unitName)}
      number={receiptNumber(d.code, 'TNHS')}
      place={placeOf(d.unitName)}
      date={d.receivedAt}
      title="GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
      subtitle={
        <>
          Mã hồ sơ: <strong data-testid="receipt-code">{d.code}</strong>
        </>
      }
    >
      <div class="with-qr">
        <div>
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
        </div>
        <Qr text={d.code} label={`Mã QR của hồ sơ ${d.code}`} />
      </div>
      <p>1. Thành phần hồ sơ nộp gồm:</p>
      <table class="lines">
        <thead>
          <tr>
            <th scope="col">TT</th>
            <th scope="col">Tên giấy tờ</th>
            <th scope="col">Hình thức</th>
            <th scope="col">Số lượng</th>
          </tr>
        </thead>
        <tbody>
          {received.map((c, i) => (
            <tr key={c.name}>
              <td class="num">{i + 1}</td>
              <td>{c.name}</td>
              <td>{copyKindLabel(c.copyKind)}</td>
              <td class="num">{c.count}</td>
            </tr>
          ))}
          {received.length === 0 && (
            <tr>
              <td colSpan={4}>(Không có thành phần trong danh mục)</td>
            </tr>
          )}
        </tbody>
      </table>
      <p>2. Số lượng hồ sơ: 01 (bộ)</p>
      <p data-testid="form-processing-time">3. Thời gian giải quyết hồ sơ theo quy định là: {processingTimeText(d.processingDays)}</p>
      <p>
        4. Thời gian nhận hồ sơ: <span data-testid="receipt-received-at">{longTime(d.receivedAt)}</span>
      </p>
      <p>
        5. Thời gian trả kết quả giải quyết hồ sơ: <strong data-testid="receipt-due-at">{d.dueAt === null ? '..........' : longTime(d.dueAt)}</strong>
      </p>
      <p data-testid="receipt-collect">6. Đăng ký nhận kết quả tại: {collectAt}</p>
      <p class="italic">Vào Sổ theo dõi hồ sơ, Quyển số: ....., Số thứ tự: {d.code.split('-').pop()}</p>
      <Signatures
        blocks={[
          { title: 'NGƯỜI NỘP HỒ SƠ', name: a.name },
          { title: 'NGƯỜI TIẾP NHẬN HỒ SƠ', name: d.officerName },
        ]}
      />
    </Sheet>
  );
}
