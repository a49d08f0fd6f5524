// Display formats: numbers, percentages, sizes, times and the ▲/▼ comparisons.

export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : value.toLocaleString();
}

export function formatPercent(fraction: number | null | undefined, digits = 1): string {
  return fraction === null || fraction === undefined ? '—' : `${(fraction * 100).toFixed(digits)}%`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "3 h ago" / "in 5 d", for ages and expiries. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const time = new Date(iso).getTime();
  if (Number.isNaN(time)) return iso;
  const seconds = Math.round((time - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 10) return 'just now';
  const [value, unit] = abs < 60 ? [abs, 's'] : abs < 3600 ? [abs / 60, 'min'] : abs < 86400 ? [abs / 3600, 'h'] : [abs / 86400, 'd'];
  const text = `${Math.floor(value)} ${unit}`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

export interface Delta {
  text: string;
  direction: 'up' | 'down' | 'flat';
  /** Whether the change is good news, for colour (more errors is bad, more traffic is good). */
  good: boolean | null;
}

/**
 * Change from the previous period: relative % for counts and latencies,
 * percentage points for ratios (a rate going 1% → 2% is "+1.0 pts", not "+100%").
 */
export function delta(current: number | null, previous: number | null, options: { ratio?: boolean; higherIsBetter?: boolean } = {}): Delta | null {
  if (current === null || previous === null) return null;
  const higherIsBetter = options.higherIsBetter ?? true;
  const change = options.ratio ? (current - previous) * 100 : previous === 0 ? null : ((current - previous) / previous) * 100;
  if (change === null) return current === 0 ? { text: 'no change', direction: 'flat', good: null } : { text: '▲ up from 0', direction: 'up', good: null };
  if (Math.abs(change) < 0.05) return { text: 'no change', direction: 'flat', good: null };
  const direction = change > 0 ? 'up' : 'down';
  const text = `${direction === 'up' ? '▲' : '▼'} ${Math.abs(change).toFixed(1)}${options.ratio ? ' pts' : '%'}`;
  return { text, direction, good: (direction === 'up') === higherIsBetter };
}
