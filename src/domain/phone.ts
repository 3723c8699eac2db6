/**
 * Vietnamese phone numbers. Officers type them as citizens say them ("0905 123 456",
 * "+84 905.123.456"); we store one canonical form, the domestic one with a leading 0, so that search
 * and SMS gateways see the same string.
 */

/** Removes the separators people type and turns an international +84 / 0084 prefix into 0. */
export function compactPhone(raw: string): string {
  const s = raw.replace(/[\s.\-()]/g, '');
  if (s.startsWith('+84')) return '0' + s.slice(3);
  if (s.startsWith('0084')) return '0' + s.slice(4);
  return s;
}

/**
 * The canonical number, or null when it is not a Vietnamese number: 10-digit mobiles (03, 05, 07,
 * 08, 09 since the 2018 renumbering) and 11-digit landlines (02x area codes since 2017).
 */
export function normalizePhone(raw: string): string | null {
  const s = compactPhone(raw);
  if (/^0[35789]\d{8}$/.test(s)) return s;
  if (/^02\d{9}$/.test(s)) return s;
  return null;
}
