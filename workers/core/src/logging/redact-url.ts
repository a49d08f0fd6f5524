/**
 * Masks credentials in a request path and query before it is logged, by
 * either Worker, in whatever sink (request log, logger lines, `npm start`'s
 * copy of wrangler's request lines). Credentials travel in URLs as the query
 * parameters `api_key`, `api`, `key` (API keys), `token` (download
 * tokens) and `job_id` (DeadlineTech's job id is a file link's token), and as path segments: `/admin/delete-key/<key>`, `/k/<key>/…`,
 * `/stream/<token>` and `/file/<token>` (links are credentials too). Names
 * are matched decoded and case-folded, so `?API%5Fkey=` is caught; any
 * UUID-shaped text (what a key looks like) is masked wherever it appears. No library does this: URL parsers would
 * normalise the text we want to log as it came.
 */
export const REDACTED = '[redacted]';

const SECRET_PARAMS = new Set(['api_key', 'apikey', 'api-key', 'api', 'key', 'token', 'access_token', 'job_id']);
/** Path prefixes whose next segment is a credential; slashes may be doubled or encoded. */
const SECRET_SEGMENT = /(\/(?:admin\/+delete-key|k|stream|file)\/+)[^/?#]+/gi;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** A path, with or without its query (`/v1/resolve?query=x&api_key=…`). */
export function redactUrlPath(pathAndQuery: string): string {
  const mark = pathAndQuery.indexOf('?');
  const path = mark === -1 ? pathAndQuery : pathAndQuery.slice(0, mark);
  const query = mark === -1 ? null : pathAndQuery.slice(mark + 1);
  const safePath = decoded(path).replace(SECRET_SEGMENT, `$1${REDACTED}`).replace(UUID, REDACTED);
  return query === null ? safePath : `${safePath}?${redactQueryString(query)}`;
}

/** A raw query string (`a=1&api_key=…`), pairs kept in order. */
export function redactQueryString(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      if (SECRET_PARAMS.has(decoded(name).trim().toLowerCase())) return `${name}=${REDACTED}`;
      return redactText(pair);
    })
    .join('&');
}

/** Free text a client sent (a search query): key-shaped parts masked, decoded or not. */
export function redactText(text: string): string {
  let result = text.replace(UUID, REDACTED);
  if (/%[0-9a-f]{2}/i.test(result)) {
    const plain = decoded(result);
    const masked = plain.replace(UUID, REDACTED);
    if (masked !== plain) result = masked;
  }
  return result.replace(/([?&;\s](?:api_key|api|key|token|job_id)=)[^&\s#]*/gi, `$1${REDACTED}`);
}
