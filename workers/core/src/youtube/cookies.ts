/**
 * YOUTUBE_COOKIES: a signed-in session for the clients YouTube accepts one from
 * (clients.ts `cookies`). The value is a Netscape cookies.txt (what browser
 * exporters and yt-dlp's --cookies write) or a single `Cookie:` header line.
 * Like yt-dlp, a signed-in InnerTube request carries the cookies and a
 * SAPISIDHASH Authorization header built from the SAPISID cookie. No library
 * parses cookies.txt for Workers, and the format is seven tab-separated fields.
 */
export interface YouTubeCookies {
  /** The Cookie header value for www.youtube.com. */
  header: string;
  /** Every cookie value, for the logger to mask. */
  values: string[];
  sapisid?: string;
  sapisid1p?: string;
  sapisid3p?: string;
}

const ORIGIN = 'https://www.youtube.com';

export function parseYouTubeCookies(text: string | undefined, nowSeconds = Date.now() / 1000): YouTubeCookies | null {
  if (!text || !text.trim()) return null;
  const pairs = new Map<string, string>();
  const trimmed = text.trim();
  const isNetscape = trimmed.includes('\t') || /^# (Netscape )?HTTP Cookie File/i.test(trimmed);
  if (isNetscape) {
    for (const rawLine of trimmed.split(/\r?\n/)) {
      const line = rawLine.replace(/^#HttpOnly_/, '');
      if (!line.trim() || line.startsWith('#')) continue;
      const fields = line.split('\t');
      if (fields.length < 7) continue;
      const [domain, , , , expiry, name, ...value] = fields;
      if (!/(^|\.)youtube\.com$/i.test(domain!.trim())) continue;
      const expires = Number(expiry);
      if (expires > 0 && expires < nowSeconds) continue;
      pairs.set(name!.trim(), value.join('\t').trim());
    }
  } else {
    for (const part of trimmed.replace(/^cookie:\s*/i, '').split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      pairs.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  if (pairs.size === 0) return null;
  return {
    header: [...pairs].map(([name, value]) => `${name}=${value}`).join('; '),
    values: [...pairs.values()].filter((value) => value.length >= 6),
    sapisid: pairs.get('SAPISID') ?? pairs.get('__Secure-3PAPISID'),
    sapisid1p: pairs.get('__Secure-1PAPISID'),
    sapisid3p: pairs.get('__Secure-3PAPISID'),
  };
}

/** The headers of a signed-in InnerTube request (yt-dlp's _get_sid_authorization_header). */
export async function signedInHeaders(cookies: YouTubeCookies, nowSeconds = Math.floor(Date.now() / 1000)): Promise<Record<string, string>> {
  const headers: Record<string, string> = { Cookie: cookies.header, 'X-Origin': ORIGIN, 'X-Goog-AuthUser': '0' };
  const parts: string[] = [];
  for (const [scheme, value] of [['SAPISIDHASH', cookies.sapisid], ['SAPISID1PHASH', cookies.sapisid1p], ['SAPISID3PHASH', cookies.sapisid3p]] as const) {
    if (value) parts.push(`${scheme} ${nowSeconds}_${await sha1Hex(`${nowSeconds} ${value} ${ORIGIN}`)}`);
  }
  if (parts.length) headers.Authorization = parts.join(' ');
  return headers;
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
