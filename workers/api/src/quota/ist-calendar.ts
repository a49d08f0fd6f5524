/**
 * The quota's calendar: days in India (Asia/Kolkata, UTC+05:30, no daylight
 * saving), so a day starts at 18:30 UTC. Pure arithmetic on epoch ms: no
 * timezone database is needed and the rollover never waits for an alarm.
 */
export const IST_OFFSET_MS = (5 * 60 + 30) * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The last day asked for and the instants it spans: every request of a day asks for the same one. */
let lastDay = { day: '', from: 0, until: 0 };

/** The IST calendar date of an instant, as YYYY-MM-DD. */
export function istDay(nowMs: number): string {
  if (nowMs >= lastDay.from && nowMs < lastDay.until) return lastDay.day;
  const until = nextIstMidnight(nowMs);
  lastDay = { day: new Date(nowMs + IST_OFFSET_MS).toISOString().slice(0, 10), from: until - DAY_MS, until };
  return lastDay.day;
}

/** The instant the next IST day begins (the next 18:30 UTC). */
export function nextIstMidnight(nowMs: number): number {
  return Math.floor((nowMs + IST_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - IST_OFFSET_MS;
}

export function secondsUntilIstMidnight(nowMs: number): number {
  return Math.max(1, Math.ceil((nextIstMidnight(nowMs) - nowMs) / 1000));
}

/** The instant an IST day (YYYY-MM-DD) begins. */
export function istDayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) - IST_OFFSET_MS;
}
