import type { YouTubeClientName } from '../settings';

/**
 * What each InnerTube client sends and needs: yt-dlp's INNERTUBE_CLIENTS
 * (yt_dlp/extractor/youtube/_base.py at master 81ecd58, 2026-08-21), read, not guessed.
 * `TV` is yt-dlp's `tv_downgraded` (TVHTML5 5.x): the modern 7.x TV client gets SABR-only
 * answers, so it stays selectable as `TV_MODERN`. `TV_EMBEDDED` is no longer in yt-dlp's table
 * and keeps its last known values. Like yt-dlp's `_extract_context`, every client says
 * timeZone UTC / utcOffsetMinutes 0, and the clients yt-dlp gives a `userAgent` in
 * context.client send it there too.
 *
 * This is the built-in table; what a request uses is client-table.ts's `effectiveClientTable`
 * (this table with the operator's overrides merged over it).
 *
 * - `ciphered`: formats come as `signatureCipher` and `n`, so the player script is needed and the
 *   request carries its signatureTimestamp (yt-dlp's REQUIRE_JS_PLAYER).
 * - `poToken`: googlevideo refuses its URLs without a GVS PO token (yt-dlp's GVS_PO_TOKEN_POLICY,
 *   for the tokens a bgutil-style provider can mint: web ones).
 * - `cookies`: YouTube accepts a signed-in session from it (yt-dlp's SUPPORTS_COOKIES).
 * - `kind`: clients of one kind share YouTube's rules on what they may play (VISIONOS and
 *   ANDROID_VR both refuse "made for kids" videos): a refusal is the video's verdict only when a
 *   client of another kind agrees (client-verdict.ts).
 */
export type ClientKind = 'app' | 'tv' | 'embedded' | 'web';

export interface ClientProfile {
  name: YouTubeClientName;
  /** `context.client` of the request, without hl/gl/visitorData. */
  context: Record<string, string | number>;
  /** X-Youtube-Client-Name: InnerTube's numeric id of the client. */
  nameId: number;
  userAgent: string;
  /** Embedded players say where they are embedded. */
  thirdParty?: { embedUrl: string };
  ciphered: boolean;
  poToken: boolean;
  cookies: boolean;
  kind: ClientKind;
}

/** When the built-in table was last compared with yt-dlp's (docs/youtube.md says the same). */
export const CLIENT_TABLE_CHECKED = { against: 'yt-dlp master 81ecd58 (yt_dlp/extractor/youtube/_base.py)', on: '2026-08-21' } as const;

const UTC = { timeZone: 'UTC', utcOffsetMinutes: 0 } as const;
const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.5 Safari/605.1.15,gzip(gfe)';
// yt-dlp: "can be any valid non-YouTube URL".
const EMBED = { embedUrl: 'https://www.reddit.com/' };

const VISIONOS_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 15_7_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15';
const ANDROID_VR_UA = 'com.google.android.apps.youtube.vr.oculus/1.65.10 (Linux; U; Android 12L; eureka-user Build/SQ3A.220605.009.A1) gzip';
const IOS_UA = 'com.google.ios.youtube/21.26.4 (iPhone16,2; U; CPU iOS 18_3_2 like Mac OS X;)';
const ANDROID_UA = 'com.google.android.youtube/21.26.364 (Linux; U; Android 11) gzip';
const COBALT_UA = 'Mozilla/5.0 (ChromiumStylePlatform) Cobalt/25.lts.30.1034943-gold (unlike Gecko), Unknown_TV_Unknown_0/Unknown (Unknown, Unknown)';
const COBALT_DOWNGRADED_UA = 'Mozilla/5.0 (ChromiumStylePlatform) Cobalt/Version';
const MWEB_UA = 'Mozilla/5.0 (iPad; CPU OS 16_7_10 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1,gzip(gfe)';

export const CLIENT_PROFILES: Readonly<Record<YouTubeClientName, ClientProfile>> = {
  // "Made for kids" videos aren't available with this client (yt-dlp).
  VISIONOS: {
    name: 'VISIONOS',
    context: { clientName: 'VISIONOS', clientVersion: '1.02', deviceMake: 'Apple', deviceModel: 'RealityDevice17,1', userAgent: VISIONOS_UA, osName: 'visionOS', osVersion: '26.5.23O471', ...UTC },
    nameId: 101,
    userAgent: VISIONOS_UA,
    ciphered: false,
    poToken: false,
    cookies: false,
    kind: 'app',
  },
  // yt-dlp: no "made for kids" videos either, and since 2026-08-17 googlevideo refuses its formats.
  ANDROID_VR: {
    name: 'ANDROID_VR',
    context: { clientName: 'ANDROID_VR', clientVersion: '1.65.10', deviceMake: 'Oculus', deviceModel: 'Quest 3', androidSdkVersion: 32, userAgent: ANDROID_VR_UA, osName: 'Android', osVersion: '12L', ...UTC },
    nameId: 28,
    userAgent: ANDROID_VR_UA,
    ciphered: false,
    poToken: false,
    cookies: false,
    kind: 'app',
  },
  IOS: {
    name: 'IOS',
    context: { clientName: 'IOS', clientVersion: '21.26.4', deviceMake: 'Apple', deviceModel: 'iPhone16,2', userAgent: IOS_UA, osName: 'iPhone', osVersion: '18.3.2.22D82', ...UTC },
    nameId: 5,
    userAgent: IOS_UA,
    // Its GVS token can only be minted by iOS itself (bgutil-ytdlp-pot-provider #241): no provider helps.
    ciphered: false,
    poToken: false,
    cookies: false,
    kind: 'app',
  },
  ANDROID: {
    name: 'ANDROID',
    context: { clientName: 'ANDROID', clientVersion: '21.26.364', androidSdkVersion: 30, userAgent: ANDROID_UA, osName: 'Android', osVersion: '11', ...UTC },
    nameId: 3,
    userAgent: ANDROID_UA,
    ciphered: false,
    poToken: false,
    cookies: false,
    kind: 'app',
  },
  // yt-dlp's `tv_downgraded`: the 5.x TV client still gets URLs where 7.x gets SABR only.
  TV: {
    name: 'TV',
    context: { clientName: 'TVHTML5', clientVersion: '5.20260707', userAgent: COBALT_DOWNGRADED_UA, ...UTC },
    nameId: 7,
    userAgent: COBALT_DOWNGRADED_UA,
    ciphered: true,
    poToken: false,
    cookies: true,
    kind: 'tv',
  },
  // yt-dlp's `tv`: kept selectable; YouTube answers it with SABR-only formats in August 2026.
  TV_MODERN: {
    name: 'TV_MODERN',
    context: { clientName: 'TVHTML5', clientVersion: '7.20260707.07.00', userAgent: COBALT_UA, ...UTC },
    nameId: 7,
    userAgent: COBALT_UA,
    ciphered: true,
    poToken: false,
    cookies: true,
    kind: 'tv',
  },
  TV_EMBEDDED: {
    name: 'TV_EMBEDDED',
    context: { clientName: 'TVHTML5_SIMPLY_EMBEDDED_PLAYER', clientVersion: '2.0', clientScreen: 'EMBED', ...UTC },
    nameId: 85,
    userAgent: COBALT_DOWNGRADED_UA,
    thirdParty: EMBED,
    ciphered: true,
    poToken: false,
    cookies: true,
    kind: 'embedded',
  },
  WEB_EMBEDDED: {
    name: 'WEB_EMBEDDED',
    context: { clientName: 'WEB_EMBEDDED_PLAYER', clientVersion: '2.20260708.00.00', ...UTC },
    nameId: 56,
    userAgent: SAFARI,
    thirdParty: EMBED,
    ciphered: true,
    poToken: false,
    cookies: true,
    kind: 'embedded',
  },
  MWEB: {
    name: 'MWEB',
    context: { clientName: 'MWEB', clientVersion: '2.20260708.05.00', userAgent: MWEB_UA, ...UTC },
    nameId: 2,
    userAgent: MWEB_UA,
    ciphered: true,
    poToken: true,
    cookies: true,
    kind: 'web',
  },
  WEB: {
    name: 'WEB',
    context: { clientName: 'WEB', clientVersion: '2.20260708.00.00', ...UTC },
    nameId: 1,
    userAgent: SAFARI,
    ciphered: true,
    poToken: true,
    cookies: true,
    kind: 'web',
  },
};
