/** Kinds of copy in the UI language. */
import { ti } from '../i18n/intake.ts';

export function copyText(kind: string): string {
  return kind === 'original' || kind === 'certified_copy' || kind === 'copy' ? ti(`copy.${kind}`) : kind;
}
