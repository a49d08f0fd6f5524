/**
 * Which player build this isolate believes is current, per upstream route
 * (the id read from iframe_api). Kept apart from player-cipher.ts, which
 * needs youtubei.js's script analyser: the stream side forgets the id when
 * googlevideo refuses a ciphered client's URL, and importing it from here
 * keeps youtubei.js out of a cold isolate's startup (see engine.ts).
 */
const PLAYER_ID_TTL_MS = 10 * 60 * 1000;
const currentIds = new Map<string, { id: Promise<string>; until: number }>();

/** The id this isolate holds for the route, or a fresh one from `read` once the held one is older than ten minutes. */
export function currentPlayerId(routeKey: string, read: () => Promise<string>): Promise<string> {
  const held = currentIds.get(routeKey);
  if (held && held.until > Date.now()) return held.id;
  const id = read();
  currentIds.set(routeKey, { id, until: Date.now() + PLAYER_ID_TTL_MS });
  id.catch(() => currentIds.delete(routeKey));
  return id;
}

/**
 * Reads iframe_api again on the next ciphered resolve: googlevideo refused URLs signed for the
 * player this isolate holds, and a newly rolled-out player (whose signatureTimestamp the old
 * signatures do not match) is the likeliest reason. The extracted code stays cached.
 */
export function forgetCurrentPlayerId(): void {
  currentIds.clear();
}
