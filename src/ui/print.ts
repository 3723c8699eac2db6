/**
 * Printing from the browser, offline: the screen shows the form as a sheet, and print CSS hides
 * everything marked no-print. The paper size is set per print (A4 by default, A5 on request)
 * through an @page rule, since @page cannot be switched by a class.
 */
export type Paper = 'A4' | 'A5';

// Decree 30/2020 margins for A4 (top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm); A5 keeps the
// proportions on the smaller sheet.
const PAGE: Record<Paper, string> = {
  A4: '@page { size: A4 portrait; margin: 20mm 15mm 20mm 30mm; }',
  A5: '@page { size: A5 portrait; margin: 12mm 10mm 12mm 18mm; }',
};
// The register (Mẫu 07) is a wide table: landscape, narrower margins.
const LANDSCAPE: Record<Paper, string> = {
  A4: '@page { size: A4 landscape; margin: 15mm 12mm 15mm 15mm; }',
  A5: '@page { size: A5 landscape; margin: 10mm; }',
};

// A constructed stylesheet, not a <style> element: the server's Content-Security-Policy allows no
// inline style (sync-server/security-headers.ts), and CSSOM sheets are not inline markup.
let pageSheet: CSSStyleSheet | null = null;

/** Sets the paper for the next print. */
function setPaper(paper: Paper, landscape = false): void {
  if (pageSheet === null) {
    pageSheet = new CSSStyleSheet();
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, pageSheet];
  }
  pageSheet.replaceSync((landscape ? LANDSCAPE : PAGE)[paper]);
  document.documentElement.dataset['paper'] = paper;
}

export function printAs(paper: Paper, landscape = false): void {
  setPaper(paper, landscape);
  window.print();
}
