import { AppError } from '../../../core/src/errors';

/**
 * What a `query` can be: an 11-character video id, a YouTube URL in any of its
 * forms, or search text. URLs of other sites are refused rather than searched,
 * so a bot owner learns at once that the link is wrong.
 */
export type ParsedQuery =
  /** `searchIfMissing`: a bare 11-letter word that looks like an id; search it if no such video exists. */
  | { kind: 'video'; videoId: string; searchIfMissing?: string }
  | { kind: 'search'; text: string };

export const MAX_QUERY_LENGTH = 500;
const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/;
const YOUTUBE_HOSTS = new Set([
  'youtube.com',
  'www.youtube.com',
  'm.youtube.com',
  'music.youtube.com',
  'youtu.be',
  'www.youtu.be',
  'youtube-nocookie.com',
  'www.youtube-nocookie.com',
]);
const PATH_PREFIXES = ['shorts', 'live', 'embed', 'v', 'e'];

export function parseQuery(input: string | undefined | null): ParsedQuery {
  const query = (input ?? '').trim();
  if (query === '') throw new AppError('query.missing', 'Give a YouTube link, a video id or search text in `query`.');
  if (query.length > MAX_QUERY_LENGTH) {
    throw new AppError('query.too_long', `The query is longer than ${MAX_QUERY_LENGTH} characters.`);
  }
  if (VIDEO_ID.test(query)) {
    return looksLikeWord(query) ? { kind: 'search', text: query } : { kind: 'video', videoId: query, ...(/^[a-z]+$/i.test(query) ? { searchIfMissing: query } : {}) };
  }

  const url = asUrl(query);
  if (!url) return { kind: 'search', text: query };
  const host = url.hostname.toLowerCase();
  if (!YOUTUBE_HOSTS.has(host)) {
    throw new AppError('query.unsupported_url', `Links from ${host} are not supported; send a YouTube link, id or search text.`);
  }
  const videoId = videoIdFromUrl(url, host);
  if (!videoId) throw new AppError('query.unsupported_url', 'This YouTube link does not point to a video.');
  return { kind: 'video', videoId };
}

/**
 * Ids are random, so about one in ten has letters only; a word typed as a
 * search ("beautifully", "Beautifully", "BEAUTIFULLY") has one case, or a
 * capital only at the start.
 */
function looksLikeWord(text: string): boolean {
  if (/[0-9_-]/.test(text)) return false;
  return /^[A-Z]?[a-z]+$/.test(text) || /^[A-Z]+$/.test(text);
}

function asUrl(text: string): URL | null {
  if (/\s/.test(text)) return null;
  const looksLikeUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /^(www\.|m\.|music\.)?[a-z0-9-]+(\.[a-z0-9-]+)+\//i.test(text);
  if (!looksLikeUrl) return null;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    return /^https?:$/.test(url.protocol) ? url : null;
  } catch {
    return null;
  }
}

function videoIdFromUrl(url: URL, host: string): string | null {
  const segments = url.pathname.split('/').filter(Boolean);
  let candidate: string | undefined;
  if (host.endsWith('youtu.be')) candidate = segments[0];
  else if (segments[0] === 'watch') candidate = url.searchParams.get('v') ?? undefined;
  else if (segments[0] && PATH_PREFIXES.includes(segments[0])) candidate = segments[1];
  else if (url.searchParams.has('v')) candidate = url.searchParams.get('v') ?? undefined;
  return candidate && VIDEO_ID.test(candidate) ? candidate : null;
}
