import { DurableObject } from 'cloudflare:workers';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../errors';
import { createLogger } from '../logging/logger';
import { createOutbound } from '../outbound/http';
import { LogSettingsShape, parseSettings, secretValuesOf, YouTubeSettingsShape } from '../settings';

/**
 * The extracted signature / `n` code of one player version, in one durable
 * place every isolate of every colo reads: a PlayerFunctions object per
 * player id (idFromName(playerId)). The object extracts the code itself,
 * single-flight and under its own CPU budget, and keeps it in its storage; a
 * new player build thus costs one extraction for the whole service (per
 * Worker that hosts the class), whatever the Cache API does. A failed
 * extraction is remembered for a few minutes, so that requests do not each
 * download and analyse 2.5 MB again: callers see the failure at once, the
 * ciphered clients count as failing and the chain moves on.
 *
 * youtubei.js and QuickJS load behind engine.ts's dynamic import, only when
 * an extraction runs: the API Worker exports this class from its entry.
 */
export type PlayerFunctionsAnswer =
  | { ok: true; code: string; signatureTimestamp: number; extractedAt: number }
  | { ok: false; error: ErrorCode; message: string; retryAt: number };

/** The analysis's own version: a stored result of another one is extracted again. */
export const EXTRACTION_VERSION = 2;
/** A structural change of the script fails the same way for minutes: ask again after these. */
const FAILED_EXTRACTION_MEMORY_MS = 5 * 60 * 1000;
/** YouTube not serving the script is likelier to pass: ask again sooner. */
const UNREACHABLE_MEMORY_MS = 30 * 1000;
const PLAYER_ID = /^[0-9a-f]{8}$/;

const SettingsSchema = z.object({
  UPSTREAM_ORIGINS: YouTubeSettingsShape.UPSTREAM_ORIGINS,
  UPSTREAM_TIMEOUT_MS: YouTubeSettingsShape.UPSTREAM_TIMEOUT_MS,
  RELAY_SECRET: YouTubeSettingsShape.RELAY_SECRET,
  ...LogSettingsShape,
});

export class PlayerFunctions extends DurableObject<Record<string, unknown>> {
  private extracting: Promise<PlayerFunctionsAnswer> | null = null;

  /** The player's code, extracting it first if no one has; a remembered failure until its retryAt. */
  async functions(playerId: string): Promise<PlayerFunctionsAnswer> {
    if (!PLAYER_ID.test(playerId)) return { ok: false, error: 'youtube.unavailable', message: 'Not a player id.', retryAt: Date.now() + FAILED_EXTRACTION_MEMORY_MS };
    const stored = await this.ctx.storage.get<PlayerFunctionsAnswer>(storageKey());
    if (stored?.ok) return stored;
    if (stored && !stored.ok && stored.retryAt > Date.now()) return stored;
    // Requests that arrive while the script is being fetched and analysed wait for that one extraction.
    this.extracting ??= this.extract(playerId).finally(() => {
      this.extracting = null;
    });
    return this.extracting;
  }

  /** What the object holds, without extracting (tests, the operator's view). */
  async held(): Promise<PlayerFunctionsAnswer | null> {
    return (await this.ctx.storage.get<PlayerFunctionsAnswer>(storageKey())) ?? null;
  }

  /** Forgets the stored code or failure (a player whose extraction is known bad). */
  async forget(): Promise<void> {
    await this.ctx.storage.delete(storageKey());
  }

  private async extract(playerId: string): Promise<PlayerFunctionsAnswer> {
    let answer: PlayerFunctionsAnswer;
    const settings = parseSettings(SettingsSchema, this.env);
    const logger = createLogger({ level: settings.DEBUG ? 'debug' : settings.LOG_LEVEL, format: settings.LOG_FORMAT, secrets: secretValuesOf(this.env) }, { object: 'PlayerFunctions' });
    const fetch = createOutbound({ upstreamOrigins: settings.UPSTREAM_ORIGINS, timeoutMs: settings.UPSTREAM_TIMEOUT_MS, logger, relaySecret: settings.RELAY_SECRET });
    try {
      const { extractPlayerFunctions } = await import('./engine');
      const { extracted, solver } = await extractPlayerFunctions(playerId, fetch, logger);
      solver.dispose();
      answer = { ok: true, code: extracted.code, signatureTimestamp: extracted.signatureTimestamp, extractedAt: Date.now() };
    } catch (error) {
      const known = error instanceof AppError ? error : new AppError('youtube.decipher_failed', `Player ${playerId} could not be extracted.`, { cause: error });
      const memory = known.code === 'youtube.decipher_failed' ? FAILED_EXTRACTION_MEMORY_MS : UNREACHABLE_MEMORY_MS;
      answer = { ok: false, error: known.code, message: known.message, retryAt: Date.now() + memory };
      logger.warn('youtube.player_extraction_failed', { playerId, code: known.code, retryInSeconds: memory / 1000, upstream: known.logDetails });
    }
    await this.ctx.storage.put(storageKey(), answer);
    return answer;
  }
}

function storageKey(): string {
  return `functions:v${EXTRACTION_VERSION}`;
}

/** The binding's shape, as the Workers that call the object see it. */
export type PlayerFunctionsNamespace = DurableObjectNamespace<PlayerFunctions>;
