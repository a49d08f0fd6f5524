import { AppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import { CipherSolver, type DecipherInput } from './cipher-solver';
import { deferFunctionBodies } from './lazy-functions';
import { extractCipher, type ExtractedCipher } from './player-script';

/**
 * One extraction of a player version's signature / `n` code: download the
 * 2.5 MB script, analyse it (youtubei.js), and keep the deferred form of the
 * code (lazy-functions.ts) when it answers as the plain one does. Seconds of
 * CPU: the PlayerFunctions Durable Object runs it once for the whole service
 * (player-functions.ts); an isolate without that binding runs it itself.
 */
export const PLAYER_VARIANT = 'player_ias.vflset/en_US';

export interface ExtractedPlayer {
  extracted: ExtractedCipher;
  /** The code, parsed and ready; the caller keeps or disposes it. */
  solver: CipherSolver;
  deferred: boolean;
}

export async function extractPlayerFunctions(playerId: string, fetch: OutboundFetch, logger: Logger): Promise<ExtractedPlayer> {
  const started = Date.now();
  const plain = await extractFromScript(playerId, fetch);
  const result = await preferDeferred(playerId, plain);
  logger.info('youtube.player_extracted', { playerId, ms: Date.now() - started, bytes: plain.code.length, deferred: result.deferred, sts: plain.signatureTimestamp });
  return result;
}

async function extractFromScript(playerId: string, fetch: OutboundFetch): Promise<ExtractedCipher> {
  const response = await fetch(`https://www.youtube.com/s/player/${playerId}/${PLAYER_VARIANT}/base.js`, { label: 'youtube.player_script' });
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError('youtube.unavailable', `YouTube did not serve player ${playerId}.`, { logDetails: { status: response.status } });
  }
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

// Any n-like and signature-like input: the check compares two forms of the same code, not values.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';
const PROBE: DecipherInput[] = [{ n: ALPHABET.slice(7, 25), s: ALPHABET.repeat(2).slice(0, 104) }];

/** The deferred form of the code when it gives the plain code's answers, else the plain code; with its solver loaded. */
async function preferDeferred(playerId: string, plain: ExtractedCipher): Promise<ExtractedPlayer> {
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
