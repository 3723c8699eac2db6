/** First run: the device joins its commune with a one-time code from the sync admin (needs the network). */
import { useState } from 'preact/hooks';
import type { DeviceSummary } from '../../worker/types.ts';
import { worker } from '../bridge.ts';

export function EnrollScreen({ onEnrolled }: { onEnrolled: (d: DeviceSummary) => void }) {
  const [code, setCode] = useState('');
  const [label, setLabel] = useState('Máy quầy 1');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await worker().enroll(code, label);
    setBusy(false);
    if (r.ok) onEnrolled(r.value);
    else setError(r.message);
  }

  return (
    <main class="card narrow">
      <h1>Đăng ký thiết bị</h1>
      <p>Nhập mã đăng ký do quản trị viên đồng bộ cấp để gắn máy này với đơn vị của bạn.</p>
      <form data-testid="enroll-form" onSubmit={(e) => void submit(e)}>
        <label>
          Mã đăng ký
          <input data-testid="enroll-code" value={code} onInput={(e) => setCode(e.currentTarget.value)} required autoFocus />
        </label>
        <label>
          Tên máy
          <input data-testid="enroll-label" value={label} onInput={(e) => setLabel(e.currentTarget.value)} required />
        </label>
        {error !== null && <p class="error" role="alert" data-testid="form-error">{error}</p>}
        <button type="submit" data-testid="enroll-submit" disabled={busy}>
          {busy ? 'Đang đăng ký…' : 'Đăng ký'}
        </button>
      </form>
    </main>
  );
}
