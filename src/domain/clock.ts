/**
 * Device clocks are not trusted blindly. Old laptops lose their time after a flat CMOS battery, and
 * an officer may set it by hand. Once the server has stamped an event (rule S13), a device time more
 * than CLOCK_SKEW_TOLERANCE_MS AHEAD of that stamp cannot be right: the event cannot have been
 * created after it reached the server. Such an event is then dated by the server's time and flagged.
 * A device time far BEHIND its stamp is normal (the laptop was offline), so it cannot be judged.
 */
import type { DossierEvent } from './dossier-types.ts';

export const CLOCK_SKEW_TOLERANCE_MS = 10 * 60_000;

export interface SkewFlag {
  eventId: string;
  /** How far the device clock was ahead of the server, ms. */
  aheadMs: number;
}

/** The events with untrustworthy device times replaced by the server's, and the flags for them. */
export function trustedTimes(events: readonly DossierEvent[]): { events: DossierEvent[]; skewed: SkewFlag[] } {
  const skewed: SkewFlag[] = [];
  const out = events.map((e) => {
    if (e.serverAt === undefined || e.at - e.serverAt <= CLOCK_SKEW_TOLERANCE_MS) return e;
    if (!skewed.some((s) => s.eventId === e.id)) skewed.push({ eventId: e.id, aheadMs: e.at - e.serverAt });
    return { ...e, at: e.serverAt };
  });
  return { events: out, skewed };
}

export function skewReason(aheadMs: number): string {
  const hours = Math.round(aheadMs / 3_600_000);
  const amount = hours >= 1 ? `${hours} giờ` : `${Math.round(aheadMs / 60_000)} phút`;
  return `Đồng hồ của máy ghi nhận chạy nhanh hơn giờ máy chủ ${amount}: dùng giờ máy chủ. Hãy chỉnh lại giờ trên máy đó.`;
}
