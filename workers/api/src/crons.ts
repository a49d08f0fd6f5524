/**
 * The crons of wrangler.toml's [triggers], each with its job in index.ts's
 * scheduled handler (which dispatches on the cron string): change both together.
 * Not exported from index.ts: an entry module exports handlers only.
 */
export const DAILY_CLEANUP_CRON = '30 18 * * *';
export const CANARY_CRON = '*/15 * * * *';
