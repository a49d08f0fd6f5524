import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES_DIR, listFixtures, readExchange } from './fixtures';

/**
 * The recorded YouTube player scripts (test/fixtures/youtube/player-js) and the
 * signature / `n` values yt-dlp's solvers computed for them (vectors.json).
 * The test upstream ciphers its answers with these values, so what it checks
 * on googlevideo comes from yt-dlp, never from the code under test.
 */
export interface PlayerVectors {
  playerId: string;
  signatureTimestamp: number;
  n: { input: string; expected: string }[];
  sig: { input: string; expected: string }[];
}

/** The 2026 build (January 2026, sts 20472) iframe_api names. */
export const DEFAULT_PLAYER_ID = 'c9168c90';

const vectors = JSON.parse(readFileSync(join(FIXTURES_DIR, 'player-js', 'vectors.json'), 'utf8')).vectors as {
  player_id: string;
  kind: 'n' | 'sig';
  input: string;
  expected: string;
}[];
const scripts = new Map<string, string>();

export function hasPlayer(playerId: string): boolean {
  return /^[0-9a-f]{8}$/.test(playerId) && existsSync(join(FIXTURES_DIR, 'player-js', `${playerId}-base.json`));
}

export function playerScript(playerId: string): string {
  let script = scripts.get(playerId);
  if (!script) {
    script = readExchange(`player-js/${playerId}-base.json`).response.body as string;
    scripts.set(playerId, script);
  }
  return script;
}

export function playerVectors(playerId: string): PlayerVectors {
  const own = vectors.filter((vector) => vector.player_id === playerId);
  const sts = Number(/signatureTimestamp[=:](\d+)/.exec(playerScript(playerId))?.[1] ?? 0);
  return {
    playerId,
    signatureTimestamp: sts,
    n: own.filter((vector) => vector.kind === 'n').map(({ input, expected }) => ({ input, expected })),
    sig: own.filter((vector) => vector.kind === 'sig').map(({ input, expected }) => ({ input, expected })),
  };
}

export function iframeApi(playerId: string): string {
  const recorded = readExchange('player-js/iframe_api.json').response.body as string;
  return recorded.replace(/player\\\/[0-9a-f]{8}\\\//g, `player\\/${playerId}\\/`);
}

export function allVectorPlayerIds(): string[] {
  return [...new Set(vectors.map((vector) => vector.player_id))];
}

let byTimestamp: Map<number, string> | undefined;

/** The recorded player whose signatureTimestamp this is, if any. */
export function playerWithTimestamp(sts: number | undefined): string | undefined {
  if (!sts) return undefined;
  byTimestamp ??= new Map(
    listFixtures('player-js')
      .filter((name) => name.endsWith('-base'))
      .map((name) => name.replace(/-base$/, ''))
      .map((id) => [playerVectors(id).signatureTimestamp, id] as const),
  );
  return byTimestamp.get(sts);
}
