/** A QR code of a short text as inline SVG. The generator loads on first use, off the first screen. */
import { useEffect, useState } from 'preact/hooks';

export function Qr({ text, label, testId = 'receipt-qr' }: { text: string; label: string; testId?: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void import('qrcode-generator').then(({ default: qrcode }) => {
      const qr = qrcode(0, 'M');
      qr.addData(text);
      qr.make();
      if (live) setSvg(qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true }));
    });
    return () => {
      live = false;
    };
  }, [text, label]);
  // The SVG comes from the generator with our own text encoded as modules, not from user markup.
  return <div class="qr" data-testid={testId} role="img" aria-label={label} dangerouslySetInnerHTML={{ __html: svg ?? '' }} />;
}
