/**
 * The hosts an egress relay (relay/) forwards to, and the only ones the
 * Workers send the relay secret with: YouTube's own hosts, googlevideo and
 * ytimg. The relay and the Workers read this one list, so they cannot disagree.
 */
const YOUTUBE_HOSTS: ReadonlySet<string> = new Set([
  'youtube.com',
  'www.youtube.com',
  'm.youtube.com',
  'music.youtube.com',
  'youtubei.googleapis.com',
  'www.youtube-nocookie.com',
]);
const YOUTUBE_SUFFIXES = ['.googlevideo.com', '.ytimg.com'];

/** `host` as a Host header carries it (name, maybe `:443`); anything else — another port, a user, a path — is no. */
export function isRelayHost(host: string): boolean {
  const match = /^([a-z0-9.-]+)(?::443)?$/.exec(host.toLowerCase());
  if (!match) return false;
  const name = match[1]!;
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) return false;
  return YOUTUBE_HOSTS.has(name) || YOUTUBE_SUFFIXES.some((suffix) => name.endsWith(suffix) && name.length > suffix.length);
}

export const RELAY_SECRET_HEADER = 'X-Relay-Secret';
/** Answered by the relay itself (never forwarded) to a request carrying the secret: the Workers' reachability probe. */
export const RELAY_PING_PATH = '/__relay/ping';
