/**
 * CSV per RFC 4180: fields separated by commas, records by CRLF (LF accepted on input), a field with
 * a comma, quote or line break is quoted and its quotes doubled. Files written for Excel start with a
 * UTF-8 byte order mark, without which Excel reads Vietnamese text as Windows-1252. Written cells
 * that a spreadsheet would take for a formula are neutralised (neutraliseFormula).
 */

export const BOM = '\uFEFF';

export interface CsvRecord {
  /** 1-based line of the file where the record starts (a quoted field may span lines). */
  line: number;
  fields: string[];
}

export interface CsvParse {
  records: CsvRecord[];
  /** A quote left open: the records before it are kept, the rest of the file is not read. */
  error?: { line: number; message: string };
}

export function parseCsv(text: string): CsvParse {
  const s = text.startsWith(BOM) ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let i = 0;
  let quoted = false;
  let quoteLine = 0;
  const endRecord = (): void => {
    fields.push(field);
    records.push({ line: start, fields });
    fields = [];
    field = '';
  };
  while (i < s.length) {
    const c = s[i] as string;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
    i++;
  }
  if (quoted) return { records, error: { line: quoteLine, message: 'dấu ngoặc kép (") mở nhưng không đóng' } };
  if (field !== '' || fields.length > 0) endRecord();
  return { records };
}

const needsQuotes = /[",\r\n]/;
/** What a spreadsheet reads as the start of a formula (OWASP "CSV injection"): =, +, -, @, tab, CR. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A cell a spreadsheet could run as a formula (a citizen's name typed as `=HYPERLINK(...)`) gets a
 * leading single quote, so Excel and LibreOffice show it as text. Every CSV the software writes goes
 * through here: the device's register (Mẫu 07) and the server's export.
 */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function csvField(value: string): string {
  const v = neutraliseFormula(value);
  return needsQuotes.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** The rows as CSV text with CRLF line ends; with `bom`, prefixed for Excel. */
export function toCsv(rows: readonly (readonly string[])[], opts: { bom?: boolean } = {}): string {
  const body = rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
  return opts.bom === true ? BOM + body : body;
}
