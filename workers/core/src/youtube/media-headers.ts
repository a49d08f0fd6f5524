import type { OutboundFetch } from '../outbound/http';
import type { YouTubeClientName } from '../settings';
import { CLIENT_PROFILES } from './clients';
import type { FetchAs, ResolvedVideo } from './types';

/**
 * googlevideo checks that a URL is fetched by the client that asked for it
 * (VISIONOS URLs fetched with another User-Agent were refused from August 2026):
 * every fetch of a googlevideo URL or HLS playlist/segment sends the User-Agent
 * of the player request that minted it. yt-dlp's formats carry no other client
 * header (their http_headers hold the client's User-Agent only), so neither do ours.
 */
export type MediaHeaders = Record<string, string>;

/** The headers to fetch a video's URLs with; none for a fallback instance's URLs. */
export function mediaHeadersOf(video: Pick<ResolvedVideo, 'fetchAs' | 'source'>): MediaHeaders {
  const fetchAs = video.fetchAs ?? legacyFetchAs(video.source);
  return fetchAs ? { 'User-Agent': fetchAs.userAgent } : {};
}

/** A video cached before fetchAs was recorded: its client's built-in User-Agent is the best guess. */
function legacyFetchAs(source: string): FetchAs | null {
  const client = /^youtube:([A-Z_]+)$/.exec(source)?.[1] as YouTubeClientName | undefined;
  const profile = client ? CLIENT_PROFILES[client] : undefined;
  return profile ? { client: profile.name, userAgent: profile.userAgent } : null;
}

/** `fetch` with the client's headers added to every request (a caller's own Range etc. kept). */
export function fetchingAs(fetch: OutboundFetch, headers: MediaHeaders): OutboundFetch {
  if (Object.keys(headers).length === 0) return fetch;
  return (input, init = {}) => fetch(input, { ...init, headers: withHeaders(init.headers, headers) });
}

export function withHeaders(given: HeadersInit | undefined, added: MediaHeaders): Headers {
  const headers = new Headers(given);
  for (const [name, value] of Object.entries(added)) if (!headers.has(name)) headers.set(name, value);
  return headers;
}
