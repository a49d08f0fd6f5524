import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import { CipherSolver, type DecipherInput, type DecipherOutput } from './cipher-solver';
import { deferFunctionBodies } from './lazy-functions';
import { currentPlayerId, forgetCurrentPlayerId } from './current-player';
import { extractCipher, type ExtractedCipher } from './player-script';

/**
 * The signature / `n` functions of YouTube's current player, for the ciphered
 * clients (TV, WEB_EMBEDDED, …). Extracting them from the 2.5 MB script takes
 * seconds, so it happens once per player version: the extracted code (its
 * function bodies deferred, lazy-functions.ts) goes into the Cache API, shared
 * by a colo's isolates and keyed by player id and variant, and, parsed, into a
 * QuickJS context kept by the isolate. A cold isolate reads the code from the
 * Cache API and only parses it.
 */
export interface PlayerCipher {
  playerId: string;
  signatureTimestamp: number;
  decipher(items: DecipherInput[]): DecipherOutput[];
}

/** The build this service extracts from; part of the cache key with the extraction's own version. */
const VARIANT = 'player_ias.vflset/en_US';
const EXTRACTION_VERSION = 2;
const CACHE_ORIGIN = 'https://player-cipher.cache.internal';
const CODE_TTL_SECONDS = 30 * 24 * 3600;
/** Players whose parsed code an isolate keeps (YouTube rolls one out every few days). */
const SOLVERS_KEPT = 3;

const solvers = new Map<string, Promise<LoadedPlayer>>();

interface LoadedPlayer {
  solver: CipherSolver;
  signatureTimestamp: number;
}

export function cipherCacheKey(playerId: string): string {
  return `${CACHE_ORIGIN}/v${EXTRACTION_VERSION}/${playerId}/${encodeURIComponent(VARIANT)}`;
}

export class PlayerCiphers {
  constructor(
    private readonly fetch: OutboundFetch,
    private readonly logger: Logger,
    private readonly routeKey: string,
    private readonly cache: Cache | null = typeof caches === 'undefined' ? null : caches.default,
  ) {}

  /** The current player's functions (player id from iframe_api). */
  async current(): Promise<PlayerCipher> {
    return this.forPlayer(await this.currentPlayerId());
  }

  async forPlayer(playerId: string): Promise<PlayerCipher> {
    let pending = solvers.get(playerId);
    if (pending) {
      const held = await pending.catch(() => null);
      if (held?.solver.usable) return cipherOf(playerId, held);
      if (solvers.get(playerId) === pending) solvers.delete(playerId);
    }
    pending = this.load(playerId);
    solvers.set(playerId, pending);
    pending.catch(() => solvers.get(playerId) === pending && solvers.delete(playerId));
    while (solvers.size > SOLVERS_KEPT) {
      const [oldest, loaded] = solvers.entries().next().value!;
      solvers.delete(oldest);
      void loaded.then((player) => player.solver.dispose(), () => {});
    }
    return cipherOf(playerId, await pending);
  }

  private currentPlayerId(): Promise<string> {
    return currentPlayerId(this.routeKey, () => this.readPlayerId());
  }

  private async readPlayerId(): Promise<string> {
    const response = await this.fetch('https://www.youtube.com/iframe_api', { label: 'youtube.iframe_api' });
    if (!response.ok) throw new AppError('youtube.unavailable', 'YouTube did not name its current player.', { logDetails: { status: response.status } });
    const id = /player\\?\/([0-9a-f]{8})\\?\//.exec(await response.text())?.[1];
    if (!id) throw new AppError('youtube.unavailable', 'YouTube did not name its current player.', { logDetails: { reason: 'no player id in iframe_api' } });
    return id;
  }

  private async load(playerId: string): Promise<LoadedPlayer> {
    const key = cipherCacheKey(playerId);
    const cached = await this.readCached(key);
    if (cached) {
      try {
        return { solver: await CipherSolver.load(cached.code), signatureTimestamp: cached.signatureTimestamp };
      } catch (error) {
        await this.cache?.delete(key).catch(() => false);
        throw new AppError('youtube.decipher_failed', `The code of player ${playerId} does not run.`, { cause: error, logDetails: { playerId, error } });
      }
    }
    const started = Date.now();
    const plain = await this.extract(playerId);
    const { extracted, solver, deferred } = await preferDeferred(playerId, plain);
    this.logger.info('youtube.player_extracted', { playerId, ms: Date.now() - started, bytes: plain.code.length, deferred, sts: plain.signatureTimestamp });
    await this.cache?.put(key, new Response(JSON.stringify(extracted), { headers: { 'Cache-Control': `max-age=${CODE_TTL_SECONDS}`, 'Content-Type': 'application/json' } })).catch(() => {});
    return { solver, signatureTimestamp: extracted.signatureTimestamp };
  }

  private async readCached(key: string): Promise<ExtractedCipher | null> {
    const hit = await this.cache?.match(key).catch(() => undefined);
    if (!hit) return null;
    const value = (await hit.json().catch(() => null)) as Partial<ExtractedCipher> | null;
    return typeof value?.code === 'string' && typeof value.signatureTimestamp === 'number' ? (value as ExtractedCipher) : null;
  }

  private async extract(playerId: string): Promise<ExtractedCipher> {
    const response = await this.fetch(`https://www.youtube.com/s/player/${playerId}/${VARIANT}/base.js`, { label: 'youtube.player_script' });
    if (!response.ok) throw new AppError('youtube.unavailable', `YouTube did not serve player ${playerId}.`, { logDetails: { status: response.status } });
    const source = await response.text();
    let extracted: ExtractedCipher | null = null;
    try {
      extracted = extractCipher(source);
    } catch (error) {
      throw new AppError('youtube.decipher_failed', `Player ${playerId} could not be read.`, { cause: error, logDetails: { playerId, error } });
    }
    if (!extracted) throw new AppError('youtube.decipher_failed', `No signature function found in player ${playerId}.`, { logDetails: { playerId } });
    return extracted;
  }
}

// Any n-like and signature-like input: the check compares two forms of the same code, not values.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
const PROBE: DecipherInput[] = [{ n: ALPHABET.slice(7, 25), s: ALPHABET.repeat(2).slice(0, 104) }];

/**
 * The deferred form of the code (lazy-functions.ts) when it gives the plain code's answers, else
 * the plain code; with its solver loaded. Runs once per player version.
 */
async function preferDeferred(playerId: string, plain: ExtractedCipher): Promise<{ extracted: ExtractedCipher; solver: CipherSolver; deferred: boolean }> {
  let solver: CipherSolver;
  try {
    solver = await CipherSolver.load(plain.code);
  } catch (error) {
    throw new AppError('youtube.decipher_failed', `The code of player ${playerId} does not run.`, { cause: error, logDetails: { playerId, error } });
  }
  const deferredCode = deferFunctionBodies(plain.code);
  if (!deferredCode) return { extracted: plain, solver, deferred: false };
  let candidate: CipherSolver | undefined;
  try {
    const expected = JSON.stringify(solver.decipher(PROBE));
    candidate = await CipherSolver.load(deferredCode);
    if (JSON.stringify(candidate.decipher(PROBE)) === expected) {
      solver.dispose();
      return { extracted: { ...plain, code: deferredCode }, solver: candidate, deferred: true };
    }
  } catch {
    // the plain code is the one to keep
  }
  candidate?.dispose();
  return { extracted: plain, solver, deferred: false };
}

function cipherOf(playerId: string, loaded: LoadedPlayer): PlayerCipher {
  return { playerId, signatureTimestamp: loaded.signatureTimestamp, decipher: (items) => loaded.solver.decipher(items) };
}

/** Forgets what this isolate holds, once its QuickJS contexts are freed (tests of a cold isolate). */
export async function forgetLoadedPlayers(): Promise<void> {
  const held = [...solvers.values()];
  solvers.clear();
  forgetCurrentPlayerId();
  await Promise.all(held.map((pending) => pending.then((player) => player.solver.dispose(), () => {})));
}
