// Shapes the timeseries for charts: the API may leave out empty buckets, so
// fill the gaps with zeros (a quiet hour must show as 0, not be skipped).
import type { Bucket } from './types';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** The API buckets by IST (UTC+05:30): days start at 18:30 UTC and hours at :30. Used until the API's own buckets say otherwise. */
export const IST_DAY_OFFSET_MS = (24 - 5.5) * HOUR_MS;
export const IST_HOUR_OFFSET_MS = HOUR_MS / 2;

export function fillBuckets(buckets: Bucket[], from: number, to: number, step: number, defaultOffset: number): Bucket[] {
  const sorted = [...buckets].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const offset = sorted.length > 0 ? mod(Date.parse(sorted[0]!.start), step) : defaultOffset;
  const byStart = new Map(sorted.map((bucket) => [Date.parse(bucket.start), bucket]));
  const filled: Bucket[] = [];
  for (let start = alignDown(from, step, offset); start <= to; start += step) {
    filled.push(byStart.get(start) ?? emptyBucket(start));
  }
  // Buckets on an unexpected grid: show the API's own rather than lose data.
  const used = new Set(filled);
  return sorted.every((bucket) => used.has(bucket)) ? filled : sorted;
}

export function alignDown(time: number, step: number, offset = 0): number {
  return Math.floor((time - offset) / step) * step + offset;
}

function mod(value: number, step: number): number {
  return ((value % step) + step) % step;
}

function emptyBucket(start: number): Bucket {
  return {
    start: new Date(start).toISOString(), total: 0, status_2xx: 0, status_3xx: 0, status_4xx: 0, status_5xx: 0,
    p50: null, p95: null, cache_hits: 0, cache_misses: 0,
  };
}

/**
 * A bucket's start as the viewer reads it: an hour in the viewer's own time
 * zone; a day by India's calendar (the API's days are IST days, which start at
 * 18:30 UTC: in the viewer's zone that would often name the day before).
 */
export function bucketLabel(start: string, granularity: 'hour' | 'day', long = false): string {
  const date = new Date(start);
  if (Number.isNaN(date.getTime())) return start;
  return granularity === 'hour'
    ? long
      ? date.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })
      : date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : `${date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'Asia/Kolkata' })}${long ? ' (IST)' : ''}`;
}

/** The viewer's time zone, as the axis title names it ("UTC", "Europe/Berlin"). */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local time';
}

/** Cache hit ratio of a run of buckets, or null when nothing was looked up. */
export function hitRatio(buckets: Bucket[]): number | null {
  const hits = buckets.reduce((sum, bucket) => sum + bucket.cache_hits, 0);
  const misses = buckets.reduce((sum, bucket) => sum + bucket.cache_misses, 0);
  return hits + misses === 0 ? null : hits / (hits + misses);
}
