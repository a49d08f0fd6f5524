// Every setting and secret of the service: the README's table and `npm start`'s
// list of environment variables to pass to the Workers. A test checks that it
// names every setting the config modules read.
export const SETTINGS = [
  { name: 'STREAM_SIGNING_KEY', secret: true, default: '(required; `npm start` uses a dev key)', meaning: 'HMAC-SHA256 key that signs `/stream/<token>` links (≥ 16 characters).' },
  { name: 'STREAM_TOKEN_TTL_SECONDS', default: '86400', meaning: 'How long a stream link stays valid.' },
  { name: 'STREAM_CHUNK_BYTES', default: '10485760', meaning: 'Largest range asked of googlevideo at once (≤ 10 MiB; larger requests are throttled).' },
  { name: 'YOUTUBE_CLIENTS', default: 'VISIONOS,ANDROID_VR,IOS', meaning: 'InnerTube clients tried in order (VISIONOS, ANDROID_VR, IOS, ANDROID, TV, TV_EMBEDDED, WEB_EMBEDDED, MWEB, WEB).' },
  { name: 'FALLBACK_INSTANCES', default: '(none)', meaning: 'Invidious / Piped instances tried when every client fails: `invidious:https://inv.example,piped:https://pipedapi.example` or JSON `[{"type":"piped","url":"…"}]`.' },
  { name: 'UPSTREAM_ORIGINS', default: '{}', meaning: 'JSON map of hostname or `*.suffix` → origin: matching outbound requests go there instead (path and query kept, `X-Forwarded-Host` set). For relays, a local Telegram Bot API server, tests.' },
  { name: 'UPSTREAM_TIMEOUT_MS', default: '10000', meaning: 'Timeout of each outbound HTTP call.' },
  { name: 'METADATA_CACHE_TTL_SECONDS', default: '3600', meaning: 'How long resolved metadata and search answers are kept in the Cache API (always shorter than the stream URL expiry).' },
  { name: 'LOG_LEVEL', default: 'info', meaning: 'debug, info, warn or error.' },
  { name: 'LOG_FORMAT', default: 'json (pretty under `npm start`)', meaning: 'json lines for Workers Logs, or readable coloured lines.' },
  { name: 'DEBUG', default: 'false', meaning: 'Adds upstream details (client tried, status, timing) to the logs, never to responses.' },
  { name: 'APP_VERSION', default: '0.1.0', meaning: 'Version reported by /health.' },
  { name: 'PORT', default: '8787', meaning: '`npm start` only: port of the API.', startOnly: true },
];
