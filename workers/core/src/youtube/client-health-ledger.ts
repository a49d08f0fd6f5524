import { z } from 'zod';
import type { ClientOutcome } from './client-health';

/**
 * What one isolate knows of one client, and how the ledgers of a colo's
 * isolates add up to one view. The state is a pure function of the merged
 * attempts and the clock, so every isolate that holds the same ledgers agrees,
 * whichever isolate saw which attempt.
 */
export interface HealthRules {
  /** Failures in a row that set a client aside. */
  threshold: number;
  coolOffMs: number;
}

export const ClientLedgerSchema = z.object({
  /** The player's latest answers (resolves and canary runs), oldest first, as [epoch ms, 1 when it failed]: enough to see a run of `threshold` failures. */
  recent: z.array(z.tuple([z.number(), z.union([z.literal(0), z.literal(1)])])),
  /**
   * googlevideo's latest answers to the first fetch of a URL the client minted, oldest first, as
   * [epoch ms, 1 when refused, epoch ms the URL was minted]. Kept apart from the player's: a URL
   * that plays says the URLs of that moment worked, not that the player answers now.
   */
  googlevideo: z.array(z.tuple([z.number(), z.union([z.literal(0), z.literal(1)]), z.number()])).optional(),
  /** The player's attempts per minute over the last hour: [epoch minute, attempts, failures]. */
  minutes: z.array(z.tuple([z.number(), z.number(), z.number()])),
  lastSuccessAt: z.number().nullable(),
  lastFailure: z.object({ at: z.number(), code: z.string() }).nullable(),
  /**
   * Set while the latest player answer is one googlevideo has not yet served a URL of:
   * lastSuccessAt before it, restored (and that attempt counted failed in `minutes`) if
   * googlevideo refuses that answer's URLs. Only the hour's figures read it, never the runs.
   */
  unconfirmedSince: z.number().nullable().optional(),
});
export type ClientLedger = z.infer<typeof ClientLedgerSchema>;

export type ClientState = 'ok' | 'failing' | 'cooling_off' | 'unused';

export interface ClientView {
  name: string;
  state: ClientState;
  last_success_at: string | null;
  last_failure: { at: string; code: string } | null;
  attempts_1h: number;
  /** Share of the last hour's attempts that succeeded, 0–1; null without attempts. */
  success_rate_1h: number | null;
  /** Epoch ms; set while cooling off. */
  cooling_off_until: number | null;
  /** The cool-off is over: the next attempt is the one that tells whether the client is back. */
  probe_due: boolean;
  /** Failures in a row: the longer of the player's run and googlevideo's run of refusals. */
  consecutive_failures: number;
  consecutive_failures_by_source: { player: number; googlevideo: number };
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * What YouTube says of the video itself (private, gone, paid, region, age) is
 * an answer: the client works, so it neither breaks nor continues a run of failures.
 */
const VIDEO_ANSWERS: ReadonlySet<string> = new Set([
  'video.private',
  'video.not_found',
  'video.paid',
  'video.region_restricted',
  'video.age_restricted',
  'video.live_audio',
]);

export function isClientFailure(code: string): boolean {
  return code !== 'ok' && !VIDEO_ANSWERS.has(code);
}

export function emptyLedger(): ClientLedger {
  return { recent: [], googlevideo: [], minutes: [], lastSuccessAt: null, lastFailure: null };
}

/** How long attempts are kept: the hour of counts, and a run of failures as long as its cool-off may last. */
export function horizonMs(rules: HealthRules): number {
  return HOUR_MS + rules.coolOffMs;
}

export type LedgerOutcome = Pick<ClientOutcome, 'code'> & Partial<Pick<ClientOutcome, 'phase' | 'mintedAt'>>;

export function addOutcome(ledger: ClientLedger, outcome: LedgerOutcome, at: number, rules: HealthRules): void {
  const failed = isClientFailure(outcome.code);
  const keep = Math.max(rules.threshold, 10);
  const successBefore = ledger.unconfirmedSince;
  if (outcome.phase === 'stream') {
    // googlevideo's answer: its own run, never the player's success (a byte range of a URL
    // from the metadata cache says nothing of whether the player answers today).
    const mintedAt = Math.min(outcome.mintedAt ?? at, at);
    const answers = (ledger.googlevideo ??= []);
    answers.push([at, failed ? 1 : 0, mintedAt]);
    if (answers.length > keep) answers.splice(0, answers.length - keep);
    if (failed) ledger.lastFailure = { at, code: outcome.code };
    const latest = ledger.recent[ledger.recent.length - 1];
    if (successBefore !== undefined && latest && latest[1] === 0 && mintedAt >= latest[0]) {
      // The URLs of the latest player answer: served, it stands; refused, the hour's figures count it failed.
      delete ledger.unconfirmedSince;
      if (failed) {
        const minute = ledger.minutes.find(([m]) => m === Math.floor(latest[0] / MINUTE_MS));
        if (minute) minute[2] = Math.min(minute[1], minute[2] + 1);
        ledger.lastSuccessAt = successBefore;
      }
    }
    pruneLedger(ledger, at, rules);
    return;
  }
  delete ledger.unconfirmedSince;
  if (outcome.phase === 'player' && !failed) ledger.unconfirmedSince = ledger.lastSuccessAt;
  ledger.recent.push([at, failed ? 1 : 0]);
  if (ledger.recent.length > keep) ledger.recent.splice(0, ledger.recent.length - keep);
  const minute = Math.floor(at / MINUTE_MS);
  const last = ledger.minutes[ledger.minutes.length - 1];
  if (last && last[0] === minute) {
    last[1] += 1;
    last[2] += failed ? 1 : 0;
  } else {
    ledger.minutes.push([minute, 1, failed ? 1 : 0]);
  }
  if (failed) ledger.lastFailure = { at, code: outcome.code };
  else ledger.lastSuccessAt = at;
  pruneLedger(ledger, at, rules);
}

/** Drops what no view needs any more; false when nothing is left. */
export function pruneLedger(ledger: ClientLedger, now: number, rules: HealthRules): boolean {
  const firstMinute = Math.floor((now - HOUR_MS) / MINUTE_MS) + 1;
  ledger.minutes = ledger.minutes.filter(([minute]) => minute >= firstMinute);
  const oldest = now - horizonMs(rules);
  ledger.recent = ledger.recent.filter(([at]) => at >= oldest);
  if (ledger.googlevideo) ledger.googlevideo = ledger.googlevideo.filter(([at]) => at >= oldest);
  return ledger.recent.length > 0 || ledger.minutes.length > 0 || (ledger.googlevideo?.length ?? 0) > 0;
}

/** What a plan and a record read of a client: whether it is set aside, and whether its next attempt is the probe. */
export interface ClientStanding {
  coolingOff: boolean;
  probeDue: boolean;
}

/**
 * The part of viewOf a resolve needs, without the hour's figures and the dates a report shows:
 * every miss plans its clients and records its outcome, so this is asked several times a miss.
 */
export function standingOf(ledgers: readonly ClientLedger[], rules: HealthRules, now: number): ClientStanding {
  return standingFromRuns(runsOf(ledgers, rules), rules, now);
}

function standingFromRuns(runs: Runs, rules: HealthRules, now: number): ClientStanding {
  const coolingOff = runs.coolingOffUntil > now;
  return { coolingOff, probeDue: !coolingOff && Math.max(runs.player, runs.googlevideo) >= rules.threshold };
}

/** One client's view from the ledgers of every isolate that tried it. */
export function viewOf(name: string, ledgers: readonly ClientLedger[], rules: HealthRules, now: number): ClientView {
  const runs = runsOf(ledgers, rules);
  const { coolingOffUntil } = runs;
  const run = Math.max(runs.player, runs.googlevideo);
  const { coolingOff, probeDue } = standingFromRuns(runs, rules, now);
  const attempts = runs.events;
  const firstMinute = Math.floor((now - HOUR_MS) / MINUTE_MS) + 1;
  let total = 0;
  let failures = 0;
  for (const ledger of ledgers) {
    for (const [minute, count, failed] of ledger.minutes) {
      if (minute < firstMinute) continue;
      total += count;
      failures += failed;
    }
  }
  const lastSuccessAt = maxOf(ledgers.map((ledger) => ledger.lastSuccessAt));
  const lastFailure = ledgers
    .map((ledger) => ledger.lastFailure)
    .filter((failure): failure is NonNullable<typeof failure> => failure !== null)
    .sort((a, b) => b.at - a.at)[0];
  let state: ClientState;
  if (coolingOff) state = 'cooling_off';
  else if (attempts === 0 && total === 0) state = 'unused';
  else if (run > 0) state = 'failing';
  else state = 'ok';
  return {
    name,
    state,
    last_success_at: lastSuccessAt === null ? null : new Date(lastSuccessAt).toISOString(),
    last_failure: lastFailure ? { at: new Date(lastFailure.at).toISOString(), code: lastFailure.code } : null,
    attempts_1h: total,
    success_rate_1h: total === 0 ? null : Math.round(((total - failures) / total) * 1000) / 1000,
    cooling_off_until: coolingOff ? coolingOffUntil : null,
    probe_due: probeDue,
    consecutive_failures: run,
    consecutive_failures_by_source: { player: runs.player, googlevideo: runs.googlevideo },
  };
}

interface Runs {
  player: number;
  googlevideo: number;
  coolingOffUntil: number;
  events: number;
}

/**
 * The cool-off rule, reading the player's answers and googlevideo's together in time order:
 * a run of `threshold` player failures, or of `threshold` googlevideo refusals, starts a
 * cool-off; failures during it (seen by isolates that did not know yet) do not lengthen it;
 * the first failure after it starts the next one. A player success ends the player's run;
 * googlevideo serving a URL ends googlevideo's run only when that URL was minted after the
 * run (and any cool-off) began: an older URL playing says nothing of the client today.
 * The cool-off ends early once both runs are over.
 */
function runsOf(ledgers: readonly ClientLedger[], rules: HealthRules): Runs {
  type Event = { at: number; failed: boolean; mintedAt: number | null };
  const events: Event[] = [];
  for (const ledger of ledgers) {
    for (const [at, failed] of ledger.recent) events.push({ at, failed: failed === 1, mintedAt: null });
    for (const [at, failed, mintedAt] of ledger.googlevideo ?? []) events.push({ at, failed: failed === 1, mintedAt });
  }
  events.sort((a, b) => a.at - b.at);
  let player = 0;
  let googlevideo = 0;
  let troubleSince = -Infinity;
  let coolOffSince = -Infinity;
  let coolingOffUntil = 0;
  for (const event of events) {
    const fromGooglevideo = event.mintedAt !== null;
    if (event.failed) {
      if (player === 0 && googlevideo === 0) troubleSince = event.at;
      if (fromGooglevideo) googlevideo += 1;
      else player += 1;
      if (Math.max(player, googlevideo) >= rules.threshold && event.at >= coolingOffUntil) {
        coolOffSince = event.at;
        coolingOffUntil = event.at + rules.coolOffMs;
      }
      continue;
    }
    if (!fromGooglevideo) player = 0;
    else if (event.mintedAt! >= Math.max(troubleSince, coolOffSince)) googlevideo = 0;
    if (player === 0 && googlevideo === 0) {
      coolingOffUntil = 0;
      troubleSince = -Infinity;
      coolOffSince = -Infinity;
    }
  }
  return { player, googlevideo, coolingOffUntil, events: events.length };
}

function maxOf(values: Array<number | null>): number | null {
  let best: number | null = null;
  for (const value of values) if (value !== null && (best === null || value > best)) best = value;
  return best;
}
