import { AppError } from '../errors';
import { cacheApiState, edgeCache } from '../cache/edge-cache';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import { CipherSolver, type DecipherInput, type DecipherOutput } from './cipher-solver';
import { currentPlayerId, forgetCurrentPlayerId } from './current-player';
import { extractPlayerFunctions, PLAYER_VARIANT } from './player-extraction';
import { EXTRACTION_VERSION, type PlayerFunctionsAnswer, type PlayerFunctionsNamespace } from './player-functions';
import type { ExtractedCipher } from './player-script';

/**
 * The signature / `n` functions of YouTube's current player, for the ciphered
 * clients (TV, WEB_EMBEDDED, …). Extracting them from the 2.5 MB script takes
 * seconds, so it happens once per player version for the whole service, in
 * the player's PlayerFunctions Durable Object (player-functions.ts). An
 * isolate reads the code through its tiers, nearest first:
 * - its own memory: the code parsed into a QuickJS context (a few players);
 * - the Cache API, where it works (a custom domain; not workers.dev, not
 *   CACHE_API=off), shared by a colo's isolates;
 * - the Durable Object, which every colo reaches and which extracts on first ask.
 * Without the binding (a test, a tool), the isolate extracts itself.
 * A failed extraction is remembered (by the object, and here until its
 * retryAt), so the ciphered clients fail at once and the chain moves on.
 */
export interface PlayerCipher {
  playerId: string;
  signatureTimestamp: number;
  decipher(items: DecipherInput[]): DecipherOutput[];
}

const CACHE_ORIGIN = 'https://player-cipher.cache.internal';
const CODE_TTL_SECONDS = 30 * 24 * 3600;
/** Players whose parsed code an isolate keeps (YouTube rolls one out every few days). */
const SOLVERS_KEPT = 3;

interface LoadedPlayer {
  solver: CipherSolver;
  signatureTimestamp: number;
}

/** One isolate's memory: parsed players, and the failures it was told of until their retryAt. */
export interface PlayerMemory {
  solvers: Map<string, Promise<LoadedPlayer>>;
  failures: Map<string, { error: AppError; retryAt: number }>;
}

export function newPlayerMemory(): PlayerMemory {
  return { solvers: new Map(), failures: new Map() };
}

const isolateMemory = newPlayerMemory();

export function cipherCacheKey(playerId: string): string {
  return `${CACHE_ORIGIN}/v${EXTRACTION_VERSION}/${playerId}/${encodeURIComponent(PLAYER_VARIANT)}`;
}

export interface PlayerCiphersOptions {
  /** The Cache API tier; edgeCache() (no-op when CACHE_API=off) unless given. */
  cache?: Cache | null;
  /** The PlayerFunctions objects; without them the isolate extracts itself. */
  functions?: PlayerFunctionsNamespace;
  /** Another isolate's memory (tests of several isolates in one runtime). */
  memory?: PlayerMemory;
}

export class PlayerCiphers {
  private cache: Cache | null;
  /** The default tier is dropped once the probe finds the Cache API keeps nothing (workers.dev). */
  private cacheChecked: boolean;
  private readonly functions: PlayerFunctionsNamespace | undefined;
  private readonly memory: PlayerMemory;

  constructor(
    private readonly fetch: OutboundFetch,
    private readonly logger: Logger,
    private readonly routeKey: string,
    options: PlayerCiphersOptions | Cache | null = {},
  ) {
    const given: PlayerCiphersOptions = options === null || isCache(options) ? { cache: options } : options;
    this.cache = given.cache === undefined ? edgeCache() : given.cache;
    this.cacheChecked = given.cache !== undefined;
    this.functions = given.functions;
    this.memory = given.memory ?? isolateMemory;
  }

  /** Where this isolate's player functions come from, nearest first (for /health?deep=true). */
  get tiers(): string[] {
    return ['memory', ...(this.cache ? ['cache_api'] : []), this.functions ? 'durable_object' : 'own_extraction'];
  }

  /** The current player's functions (player id from iframe_api). */
  async current(): Promise<PlayerCipher> {
    return this.forPlayer(await this.currentPlayerId());
  }

  async forPlayer(playerId: string): Promise<PlayerCipher> {
    const { solvers, failures } = this.memory;
    const failed = failures.get(playerId);
    if (failed && failed.retryAt > Date.now()) throw failed.error;
    if (failed) failures.delete(playerId);
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
    if (!this.cacheChecked) {
      this.cacheChecked = true;
      if ((await cacheApiState()) === 'off') this.cache = null;
    }
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
    if (!this.functions) return this.extractHere(playerId, key);
    const answer = await this.askObject(playerId);
    if (!answer.ok) {
      const error = new AppError(answer.error, answer.message, { logDetails: { playerId, remembered: true } });
      this.memory.failures.set(playerId, { error, retryAt: answer.retryAt });
      throw error;
    }
    let solver: CipherSolver;
    try {
      solver = await CipherSolver.load(answer.code);
    } catch (error) {
      throw new AppError('youtube.decipher_failed', `The code of player ${playerId} does not run.`, { cause: error, logDetails: { playerId, error } });
    }
    await this.keep(key, { code: answer.code, signatureTimestamp: answer.signatureTimestamp });
    return { solver, signatureTimestamp: answer.signatureTimestamp };
  }

  private async askObject(playerId: string): Promise<PlayerFunctionsAnswer> {
    try {
      const stub = this.functions!.get(this.functions!.idFromName(playerId));
      return await stub.functions(playerId);
    } catch (error) {
      // The object being unreachable is not the player's fault: nothing is remembered.
      throw new AppError('youtube.unavailable', `The functions of player ${playerId} could not be read.`, { cause: error, logDetails: { playerId, error } });
    }
  }

  private async extractHere(playerId: string, key: string): Promise<LoadedPlayer> {
    const { extracted, solver } = await extractPlayerFunctions(playerId, this.fetch, this.logger);
    await this.keep(key, extracted);
    return { solver, signatureTimestamp: extracted.signatureTimestamp };
  }

  private async keep(key: string, extracted: ExtractedCipher): Promise<void> {
    await this.cache
      ?.put(key, new Response(JSON.stringify(extracted), { headers: { 'Cache-Control': `max-age=${CODE_TTL_SECONDS}`, 'Content-Type': 'application/json' } }))
      .catch(() => {});
  }

  private async readCached(key: string): Promise<ExtractedCipher | null> {
    const hit = await this.cache?.match(key).catch(() => undefined);
    if (!hit) return null;
    const value = (await hit.json().catch(() => null)) as Partial<ExtractedCipher> | null;
    return typeof value?.code === 'string' && typeof value.signatureTimestamp === 'number' ? (value as ExtractedCipher) : null;
  }
}

function isCache(value: object): value is Cache {
  return typeof (value as Cache).match === 'function' && typeof (value as Cache).put === 'function';
}

function cipherOf(playerId: string, loaded: LoadedPlayer): PlayerCipher {
  return { playerId, signatureTimestamp: loaded.signatureTimestamp, decipher: (items) => loaded.solver.decipher(items) };
}

/** Forgets what this isolate holds, once its QuickJS contexts are freed (tests of a cold isolate). */
export async function forgetLoadedPlayers(memory: PlayerMemory = isolateMemory): Promise<void> {
  const held = [...memory.solvers.values()];
  memory.solvers.clear();
  memory.failures.clear();
  forgetCurrentPlayerId();
  await Promise.all(held.map((pending) => pending.then((player) => player.solver.dispose(), () => {})));
}
