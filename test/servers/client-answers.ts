import { isPoTokenFor, userAgentTag } from './po-tokens';
import { playerVectors } from './player-scripts';

/**
 * How the test InnerTube answers each client, as YouTube did in late 2026
 * (issue 10), starting from a recorded (plain-URL, VISIONOS) answer:
 * - VISIONOS, ANDROID: plain URLs; VISIONOS and ANDROID_VR refuse "made for kids" videos
 *   (status ERROR, "This video is unavailable", as for an id that does not exist) that the
 *   other clients play (yt-dlp's note on both clients, August 2026);
 * - ANDROID_VR: plain URLs googlevideo refuses (403);
 * - IOS: plain URLs googlevideo refuses without the GVS token only iOS can mint;
 * - TV at a 7.x clientVersion (yt-dlp's `tv`): SABR-only; at 5.x (yt-dlp's `tv_downgraded`), as below;
 * - TV, WEB_EMBEDDED, TV_EMBEDDED: every format ciphered (signatureCipher with `s`, and `n`)
 *   for the current player (or the earlier recorded player whose signatureTimestamp the request
 *   carried, unless the test retired it); googlevideo checks `sig` and `n` against yt-dlp’s values for that
 *   player, and refuses them all when the request's signatureTimestamp was not that player's;
 * - MWEB: ciphered, googlevideo wants `pot`: a GVS token minted for the session of the player
 *   request (its visitor data; signed in, the account's data sync id), not for the video;
 * - WEB: SABR-only without a player token (minted for the video) in the request, else as MWEB.
 * Every URL is fetched as the client that asked for it: googlevideo refuses another User-Agent
 * than the player request's (HLS playlists and segments too).
 * The ciphered clients' HLS manifest URLs carry `/n/<challenge>/`, refused unless deciphered.
 * Each rewritten URL says what it is in test-only parameters (`xt_*`), which googlevideo reads.
 */
export interface PlayerAsk {
  /** InnerTube's wire name: VISIONOS, TVHTML5, WEB_EMBEDDED_PLAYER, IOS, … */
  client: string;
  videoId: string;
  signatureTimestamp?: number;
  poToken?: string;
  /** The player iframe_api names now. */
  playerId: string;
  /** context.client.clientVersion of the request. */
  clientVersion?: string;
  /** What the session's GVS token must be bound to: the visitor data sent (or answered), or the data sync id. */
  gvsBinding?: string;
  /** The player request's User-Agent. */
  userAgent?: string;
}

/** The clients YouTube does not give "made for kids" videos to. */
const NO_KIDS_VIDEOS = new Set(['VISIONOS', 'ANDROID_VR']);

/** What such a client gets for a "made for kids" video: the answer YouTube gives an id that does not exist. */
export function refusalForClient(ask: PlayerAsk, madeForKids: boolean): any | null {
  if (madeForKids && NO_KIDS_VIDEOS.has(ask.client)) return { playabilityStatus: { status: 'ERROR', reason: 'This video is unavailable' } };
  return null;
}

/** The modern (7.x) TV client: SABR-only answers since mid-2026, which is why yt-dlp added tv_downgraded (5.x). */
function isModernTv(ask: PlayerAsk): boolean {
  return ask.client === 'TVHTML5' && !/^5\./.test(ask.clientVersion ?? '');
}

const CIPHERED = new Set(['TVHTML5', 'WEB_EMBEDDED_PLAYER', 'TVHTML5_SIMPLY_EMBEDDED_PLAYER', 'MWEB', 'WEB']);
const NEEDS_TOKEN = new Set(['MWEB', 'WEB']);

export function answerForClient(ask: PlayerAsk, answer: any): any {
  if (!answer?.streamingData) return answer;
  const copy = structuredClone(answer);
  const hasToken = isPoTokenFor(ask.poToken, ask.videoId);
  if (ask.client === 'WEB' && !hasToken) return sabrOnly(copy);
  if (isModernTv(ask)) return sabrOnly(copy);
  const vectors = CIPHERED.has(ask.client) ? playerVectors(ask.playerId) : null;
  const stsOk = vectors ? ask.signatureTimestamp === vectors.signatureTimestamp : true;
  let index = 0;
  const uaTag = userAgentTag(ask.userAgent);
  if (typeof copy.streamingData.hlsManifestUrl === 'string') {
    // Path parameters, as googlevideo's manifest URLs have them; the playlists pass the tags on.
    copy.streamingData.hlsManifestUrl = copy.streamingData.hlsManifestUrl.replace(/\/file\/index\.m3u8$/, `/xt_client/${ask.client}/xt_ua/${uaTag}/file/index.m3u8`);
  }
  for (const format of formatsOf(copy)) {
    if (typeof format.url !== 'string') continue;
    const url = new URL(format.url);
    url.searchParams.set('c', ask.client);
    url.searchParams.set('xt_client', ask.client);
    url.searchParams.set('xt_video', ask.videoId);
    url.searchParams.set('xt_ua', uaTag);
    if (NEEDS_TOKEN.has(ask.client)) url.searchParams.set('xt_bind', ask.gvsBinding ?? '');
    if (vectors) {
      const n = vectors.n[index % vectors.n.length]!;
      url.searchParams.delete('sig');
      url.searchParams.set('n', n.input);
      url.searchParams.set('xt_player', ask.playerId);
      url.searchParams.set('xt_n', String(index % vectors.n.length));
      if (!stsOk) url.searchParams.set('xt_sts', 'wrong');
      format.signatureCipher = new URLSearchParams({ s: vectors.sig[0]!.input, sp: 'sig', url: url.toString() }).toString();
      delete format.url;
    } else {
      format.url = url.toString();
    }
    index++;
  }
  // A ciphered client's manifest carries its `n` as a path segment, which the player deciphers too.
  const manifest = copy.streamingData.hlsManifestUrl;
  if (vectors && typeof manifest === 'string') {
    const n = vectors.n[0]!.input;
    copy.streamingData.hlsManifestUrl = manifest.replace(/\/file\/index\.m3u8$/, `/n/${encodeURIComponent(n)}/xt_player/${ask.playerId}${stsOk ? '' : '/xt_sts/wrong'}/file/index.m3u8`);
  }
  return copy;
}

/** Why the test googlevideo refuses a manifest (403): its `n` was not deciphered for its player. */
export function manifestRefusal(pathname: string): string | null {
  const player = /\/xt_player\/([0-9a-f]{8})\//.exec(pathname)?.[1];
  if (!player) return null;
  if (pathname.includes('/xt_sts/wrong/')) return 'signed for another signatureTimestamp';
  const n = /\/n\/([^/]+)\//.exec(pathname)?.[1];
  return n !== undefined && decodeURIComponent(n) === playerVectors(player).n[0]!.expected ? null : 'bad manifest n';
}

/** Formats without a URL or a cipher: only SABR, YouTube's own protocol, would play them. */
export function sabrOnly(answer: any): any {
  if (!answer?.streamingData) return answer;
  const copy = structuredClone(answer);
  for (const format of formatsOf(copy)) {
    delete format.url;
    delete format.signatureCipher;
  }
  delete copy.streamingData.hlsManifestUrl;
  copy.streamingData.serverAbrStreamingUrl ??= 'https://rr1---sn-test.googlevideo.com/videoplayback?sabr=1';
  return copy;
}

/** Why the test googlevideo refuses a URL (403), or null when it serves it. */
export function googlevideoRefusal(params: URLSearchParams, userAgent?: string): string | null {
  const client = params.get('xt_client');
  if (!client) return null;
  if (params.get('xt_ua') !== userAgentTag(userAgent)) return 'fetched with another User-Agent than its player request';
  if (client === 'ANDROID_VR') return 'ANDROID_VR formats are refused';
  if (client === 'IOS' || client === 'iOS') return 'IOS formats need a GVS PO token from iOS';
  const player = params.get('xt_player');
  if (player) {
    const vectors = playerVectors(player);
    if (params.get('xt_sts') === 'wrong') return 'signed for another signatureTimestamp';
    if (params.get('sig') !== vectors.sig[0]!.expected) return 'bad sig';
    if (params.get('n') !== vectors.n[Number(params.get('xt_n'))]?.expected) return 'bad n';
  }
  if (NEEDS_TOKEN.has(client)) {
    const pot = params.get('pot');
    if (!pot) return 'no valid pot';
    if (!isPoTokenFor(pot, params.get('xt_bind') ?? '')) return 'pot minted for another binding than the player request’s session';
  }
  return null;
}

function formatsOf(answer: any): any[] {
  return [...(answer.streamingData?.formats ?? []), ...(answer.streamingData?.adaptiveFormats ?? [])];
}
