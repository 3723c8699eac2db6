/**
 * The administrative-document frame every form shares (Decree 30/2020/NĐ-CP layout): the issuing
 * body top left, the national heading top right, number and place-date under them, the title
 * centred. Forms are legal documents: they always render in Vietnamese, whatever the UI language.
 */
import type { ComponentChildren } from 'preact';
import './forms.css';
import { vnParts } from '../../domain/time.ts';

export interface Issuer {
  /** The body above the issuer ("ỦY BAN NHÂN DÂN PHƯỜNG THANH KHÊ"), regular weight. */
  parent: string;
  /** The issuer itself ("TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"), bold. */
  name: string;
}

interface Props {
  form: string;
  issuer: Issuer;
  /** "Số: 0001/TNHS"; omitted when the form carries none. */
  number?: string | undefined;
  /** Place name for the date line ("Thanh Khê"). */
  place: string;
  date: number;
  title: string;
  subtitle?: ComponentChildren;
  children: ComponentChildren;
  testId: string;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * "Thanh Khê, ngày 05 tháng 02 năm 2026": days below 10 and months below 3 take a leading zero
 * (Decree 30/2020, Appendix I), so a date cannot be altered by writing a digit in front.
 */
export function placeDate(place: string, ms: number): string {
  const p = vnParts(ms);
  const month = p.month < 3 ? pad2(p.month) : String(p.month);
  return `${place}, ngày ${pad2(p.day)} tháng ${month} năm ${p.year}`;
}

export function Sheet({ form, issuer, number, place, date, title, subtitle, children, testId }: Props) {
  return (
    <article class="sheet" data-testid={testId} data-form={form} lang="vi">
      <p class="form-no">Mẫu số {form}</p>
      <header class="sheet-head">
        <div class="issuer">
          <div>{issuer.parent.toUpperCase()}</div>
          <div class="bold">{issuer.name.toUpperCase()}</div>
          <hr />
          {number !== undefined && <div class="number">{number}</div>}
        </div>
        <div class="national">
          <div class="bold">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>
          <div class="motto">Độc lập - Tự do - Hạnh phúc</div>
          <hr />
          <div class="place-date">{placeDate(place, date)}</div>
        </div>
      </header>
      <h1 class="sheet-title">{title}</h1>
      {subtitle !== undefined && <div class="sheet-subtitle">{subtitle}</div>}
      <div class="sheet-body">{children}</div>
    </article>
  );
}

/** Signature blocks side by side: title in bold, a hint in italics, then room to sign and the name. */
export function Signatures({ blocks }: { blocks: { title: string; hint?: string; name?: string }[] }) {
  return (
    <div class="signatures">
      {blocks.map((b) => (
        <div class="signature" key={b.title}>
          <div class="bold">{b.title}</div>
          <div class="italic">{b.hint ?? '(Ký, ghi rõ họ tên)'}</div>
          <div class="sign-space" />
          <div class="bold">{b.name ?? ''}</div>
        </div>
      ))}
    </div>
  );
}
