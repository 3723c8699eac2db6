/** Reading an event's data on the screen (ViewEvent: a DossierEvent with its server time and officer name). */
type WithData = { data?: Record<string, string | number | boolean> } | undefined;

export const dataStr = (e: WithData, key: string): string => {
  const v = e?.data?.[key];
  return typeof v === 'string' ? v : '';
};

export const dataNum = (e: WithData, key: string): number | null => {
  const v = e?.data?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/** The components a supplement request lists (a JSON list in its data). */
export function missingOf(e: WithData): string[] {
  try {
    const raw: unknown = JSON.parse(dataStr(e, 'missing') || '[]');
    return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
