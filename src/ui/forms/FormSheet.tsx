/**
 * Lays a domain FormView out as an administrative document (Decree 30/2020/NĐ-CP): the issuing body
 * top left, the national heading top right, number and place-date under them, the title centred,
 * then the fields and tables, the recipients and signatures. Forms are legal documents: always
 * Vietnamese, whatever the UI language (the view models are Vietnamese).
 */
import type { FormField, FormTable, FormView } from '../../domain/forms/index.ts';
import { Qr } from '../components/Qr.tsx';
import './forms.css';

export interface SheetOptions {
  /** Tables go after this field (Mẫu 01: the checklist is item 1, before items 2-6); default: after all fields. */
  tablesAfter?: string;
  /** data-testid on a field's value, by field key (the receipt's contract: receipt-code, …). */
  testIds?: Readonly<Record<string, string>>;
  /** Landscape register (Mẫu 07). */
  wide?: boolean;
}

/** Fields laid out apart from the label: value lines. */
const HEADLINE = new Set(['code', 'addressee']);
const FOOTER = new Set(['recipients']);

function Field({ f, testId }: { f: FormField; testId: string | undefined }) {
  const value = f.value === '' ? '……………' : f.value;
  return (
    <p class="field" data-field={f.key}>
      <span class="label">{f.label}:</span>{' '}
      <span class="value" data-testid={testId}>
        {value}
      </span>
    </p>
  );
}

function Table({ t }: { t: FormTable }) {
  return (
    <div class="table-block">
      <p class="table-label">{t.label}:</p>
      <table class="lines" data-testid={`form-table-${t.key}`}>
        <thead>
          <tr>
            {t.columns.map((c) => (
              <th scope="col" key={c}>
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {t.rows.map((r, i) => (
            <tr key={i} data-testid="form-row">
              {r.map((cell, j) => (
                <td key={j} class={j === 0 ? 'num' : undefined}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
          {t.rows.length === 0 && (
            <tr>
              <td colSpan={t.columns.length} class="center">
                (không có)
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

export function FormSheet({ view, options = {} }: { view: FormView; options?: SheetOptions }) {
  const ids = options.testIds ?? {};
  const code = view.fields.find((f) => f.key === 'code');
  const addressee = view.fields.find((f) => f.key === 'addressee');
  const body = view.fields.filter((f) => !HEADLINE.has(f.key) && !FOOTER.has(f.key));
  const footer = view.fields.filter((f) => FOOTER.has(f.key));
  const split = options.tablesAfter === undefined ? body.length : body.findIndex((f) => f.key === options.tablesAfter) + 1;
  const before = body.slice(0, split);
  const after = body.slice(split);
  return (
    <article class={options.wide === true ? 'sheet register' : 'sheet'} data-testid={`form-${view.form}`} data-form={view.form} lang="vi">
      <p class="form-no">{view.formLabel}</p>
      <header class="sheet-head">
        <div class="issuer">
          <div>{view.issuer.parent}</div>
          <div class="bold">{view.issuer.name}</div>
          <hr />
          {view.number !== null && <div class="number">{view.number}</div>}
        </div>
        <div class="national">
          <div class="bold">{view.nationalHeading[0]}</div>
          <div class="motto">{view.nationalHeading[1]}</div>
          <hr />
          <div class="place-date" data-testid="form-place-date">
            {view.placeDate}
          </div>
        </div>
      </header>
      <h1 class="sheet-title" data-testid="form-title">
        {view.title}
      </h1>
      {code !== undefined && (
        <p class="sheet-subtitle">
          {code.label}: <strong data-testid={ids['code']}>{code.value}</strong>
        </p>
      )}
      {addressee !== undefined && (
        <p class="sheet-subtitle">
          {addressee.label}: <strong data-testid={ids['addressee']}>{addressee.value}</strong>
        </p>
      )}
      <div class="sheet-body">
        {view.qr !== null && (
          <div class="sheet-qr">
            <Qr text={view.qr} label={`Mã QR của hồ sơ ${view.qr}`} testId={ids['qr'] ?? 'form-qr'} />
          </div>
        )}
        {before.map((f) => (
          <Field key={f.key} f={f} testId={ids[f.key]} />
        ))}
        {view.tables.map((t) => (
          <Table key={t.key} t={t} />
        ))}
        {after.map((f) => (
          <Field key={f.key} f={f} testId={ids[f.key]} />
        ))}
      </div>
      <footer class="sheet-foot">
        {footer.map((f) => (
          <div class="recipients" key={f.key}>
            <div class="bold italic">{f.label}:</div>
            <div class="pre">{f.value}</div>
          </div>
        ))}
        <div class="signatures">
          {view.signatures.map((s) => (
            <div class="signature" key={s.title}>
              <div class="bold">{s.title}</div>
              <div class="italic">(Ký, ghi rõ họ tên)</div>
              <div class="sign-space" />
              <div class="bold">{s.name}</div>
            </div>
          ))}
        </div>
      </footer>
    </article>
  );
}
