/** Telegram cache rows for the real store (D1 schema of migrations/0001_init.sql); the mock has the same three. */
export function cacheSeedSql(now: number): string {
  const h = 3_600_000;
  return `INSERT INTO cache_metadata (video_id, type, status, size, mime, title, cached_at, expires_at, claimed_at, updated_at, failure_reason, attempts) VALUES
    ('M4gD1WSo5mA', 'audio', 'ready', 3456789, 'audio/mp4', 'A cached track', ${now - 3 * h}, ${now + 27 * 24 * h}, NULL, ${now}, NULL, 1),
    ('dQw4w9WgXcQ', 'audio', 'pending', NULL, NULL, NULL, NULL, NULL, ${now - 60_000}, ${now}, NULL, 1),
    ('iuevw6218F0', 'audio', 'failed', NULL, NULL, '<b>Not markup</b>', NULL, NULL, ${now - h}, ${now}, 'telegram: file is too big', 3);`;
}
