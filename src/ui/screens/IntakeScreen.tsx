/**
 * Intake (tiếp nhận hồ sơ): pick the procedure, the applicant, tick the received components, press
 * "Tiếp nhận". The receipt appears only when the worker says the dossier is durable on this device.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Procedure } from '../../domain/catalog.ts';
import type { Receipt as ReceiptData } from '../../worker/types.ts';
import { worker } from '../bridge.ts';
import { Receipt } from '../components/Receipt.tsx';

interface FormState {
  procedureCode: string;
  name: string;
  cccd: string;
  phone: string;
  address: string;
  ticked: boolean[];
}

const EMPTY: FormState = { procedureCode: '', name: '', cccd: '', phone: '', address: '', ticked: [] };

export function IntakeScreen() {
  const [procs, setProcs] = useState<Procedure[]>([]);
  const [form, setForm] = useState<FormState>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<ReceiptData | null>(null);

  useEffect(() => {
    worker().procedures().then(setProcs, () => setMessage('Không tải được danh mục thủ tục.'));
  }, []);

  const proc = procs.find((p) => p.code === form.procedureCode);
  const set = (patch: Partial<FormState>): void => setForm((f) => ({ ...f, ...patch }));

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setMessage(null);
    // Press-to-durable, read by the benchmarks (performance entries named 'intake-commit').
    const pressedAt = performance.now();
    const components = (proc?.components ?? []).map((name, i) => ({ name, received: form.ticked[i] === true }));
    const r = await worker().intake({
      procedureCode: form.procedureCode,
      applicant: { name: form.name, cccd: form.cccd, phone: form.phone, address: form.address },
      components,
    });
    setBusy(false);
    if (r.ok) {
      performance.measure('intake-commit', { start: pressedAt });
      setErrors({});
      setReceipt(r.value);
    } else {
      setErrors(r.fieldErrors ?? {});
      setMessage(r.message);
    }
  }

  if (receipt !== null) {
    return (
      <Receipt
        receipt={receipt}
        onNew={() => {
          setReceipt(null);
          setForm(EMPTY);
        }}
      />
    );
  }

  const err = (key: string) =>
    errors[key] !== undefined ? (
      <span class="field-error" data-testid="field-error" id={`err-${key}`}>
        {errors[key]}
      </span>
    ) : null;

  return (
    <main class="card">
      <h1>Tiếp nhận hồ sơ</h1>
      <form data-testid="intake-form" onSubmit={(e) => void submit(e)} noValidate>
        <label>
          Thủ tục hành chính
          <select
            data-testid="procedure-select"
            value={form.procedureCode}
            onChange={(e) => set({ procedureCode: e.currentTarget.value, ticked: [] })}
            aria-invalid={errors['procedureCode'] !== undefined}
            autoFocus
          >
            <option value="">— Chọn thủ tục —</option>
            {procs.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name}
              </option>
            ))}
          </select>
          {err('procedureCode')}
        </label>
        <fieldset>
          <legend>Người nộp hồ sơ</legend>
          <label>
            Họ và tên
            <input data-testid="applicant-name" value={form.name} onInput={(e) => set({ name: e.currentTarget.value })} aria-invalid={errors['name'] !== undefined} />
            {err('name')}
          </label>
          <label>
            Số CCCD
            <input data-testid="applicant-cccd" inputMode="numeric" value={form.cccd} onInput={(e) => set({ cccd: e.currentTarget.value })} aria-invalid={errors['cccd'] !== undefined} />
            {err('cccd')}
          </label>
          <label>
            Số điện thoại
            <input data-testid="applicant-phone" inputMode="tel" value={form.phone} onInput={(e) => set({ phone: e.currentTarget.value })} aria-invalid={errors['phone'] !== undefined} />
            {err('phone')}
          </label>
          <label>
            Địa chỉ
            <input data-testid="applicant-address" value={form.address} onInput={(e) => set({ address: e.currentTarget.value })} aria-invalid={errors['address'] !== undefined} />
            {err('address')}
          </label>
        </fieldset>
        {proc !== undefined && (
          <fieldset>
            <legend>Thành phần hồ sơ đã nhận</legend>
            {proc.components.length === 0 && <p class="muted">Danh mục chưa có thành phần cho thủ tục này.</p>}
            {proc.components.map((c, i) => (
              <label class="check" key={c}>
                <input
                  type="checkbox"
                  data-testid="component-checkbox"
                  checked={form.ticked[i] === true}
                  onChange={(e) => {
                    const ticked = [...form.ticked];
                    ticked[i] = e.currentTarget.checked;
                    set({ ticked });
                  }}
                />
                {c}
              </label>
            ))}
            {err('components')}
          </fieldset>
        )}
        {message !== null && (
          <p class="error" role="alert" data-testid="form-error">
            {message}
          </p>
        )}
        <button type="submit" data-testid="intake-submit" disabled={busy}>
          {busy ? 'Đang lưu…' : 'Tiếp nhận'}
        </button>
      </form>
    </main>
  );
}
