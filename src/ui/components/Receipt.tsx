/** The receipt (giấy tiếp nhận hồ sơ, Mẫu 01 in full in a later issue): code, time, QR, checklist. */
import { formatVnDateTime } from '../../domain/time.ts';
import type { Receipt as ReceiptData } from '../../worker/types.ts';
import { Qr } from './Qr.tsx';

export function Receipt({ receipt, onNew }: { receipt: ReceiptData; onNew: () => void }) {
  const received = receipt.components.filter((c) => c.received);
  return (
    <main class="card receipt" data-testid="receipt">
      <header class="form-heading">
        <div>
          <div>{receipt.unitName.toUpperCase()}</div>
          <div>TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG</div>
        </div>
        <div class="national">
          <div>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>
          <div>Độc lập - Tự do - Hạnh phúc</div>
        </div>
      </header>
      <h1>GIẤY TIẾP NHẬN HỒ SƠ</h1>
      <div class="receipt-body">
        <dl>
          <dt>Mã hồ sơ</dt>
          <dd>
            <strong data-testid="receipt-code">{receipt.code}</strong>
          </dd>
          <dt>Người nộp</dt>
          <dd data-testid="receipt-applicant">{receipt.applicant.name}</dd>
          <dt>Số CCCD</dt>
          <dd>{receipt.applicant.cccd}</dd>
          <dt>Thủ tục</dt>
          <dd>{receipt.procedureName}</dd>
          <dt>Thời gian tiếp nhận</dt>
          <dd data-testid="receipt-received-at">{formatVnDateTime(receipt.receivedAt)}</dd>
          <dt>Người tiếp nhận</dt>
          <dd>{receipt.officerName}</dd>
        </dl>
        <Qr text={receipt.code} label={`Mã QR của hồ sơ ${receipt.code}`} />
      </div>
      {received.length > 0 && (
        <>
          <h2>Thành phần hồ sơ đã nhận</h2>
          <ol>
            {received.map((c) => (
              <li key={c.name}>{c.name}</li>
            ))}
          </ol>
        </>
      )}
      <p class="muted">Hồ sơ đã được lưu an toàn trên máy này và sẽ tự động gửi về trung tâm dữ liệu khi có mạng.</p>
      <div class="actions no-print">
        <button type="button" data-testid="receipt-print" onClick={() => window.print()}>
          In giấy tiếp nhận
        </button>
        <button type="button" data-testid="receipt-new" onClick={onNew} autoFocus>
          Tiếp nhận hồ sơ mới
        </button>
      </div>
    </main>
  );
}
