import type { YouTubeClientName } from '../settings';

/**
 * What each InnerTube client sends and needs. The version strings are the newer of
 * youtubei.js 18.1.0's (utils/Constants.js) and yt-dlp's INNERTUBE_CLIENTS
 * (yt_dlp/extractor/youtube/_base.py, January 2026; VISIONOS as yt-dlp added it in 2026):
 * youtubei.js's ANDROID_VR and IOS were older than yt-dlp's, and its TV user agent is the one
 * yt-dlp keeps for `tv_downgraded`, so this table, not youtubei.js, builds the player request.
 *
 * - `ciphered`: formats come as `signatureCipher` and `n`, so the player script is needed and the
 *   request carries its signatureTimestamp (yt-dlp's REQUIRE_JS_PLAYER).
 * - `poToken`: googlevideo refuses its URLs without a GVS PO token (yt-dlp's GVS_PO_TOKEN_POLICY,
 *   for the tokens a bgutil-style provider can mint: web ones).
 * - `cookies`: YouTube accepts a signed-in session from it (yt-dlp's SUPPORTS_COOKIES).
 */
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
}

const SAFARI = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.5 Safari/605.1.15,gzip(gfe)';
const EMBED = { embedUrl: 'https://www.youtube.com/' };

export const CLIENT_PROFILES: Record<YouTubeClientName, ClientProfile> = {
  VISIONOS: {
    name: 'VISIONOS',
    context: { clientName: 'VISIONOS', clientVersion: '1.02', deviceMake: 'Apple', deviceModel: 'RealityDevice17,1', osName: 'visionOS', osVersion: '26.5.23O471' },
    nameId: 101,
    userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 15_7_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15',
    ciphered: false,
    poToken: false,
    cookies: false,
  },
  ANDROID_VR: {
    name: 'ANDROID_VR',
    context: { clientName: 'ANDROID_VR', clientVersion: '1.71.26', deviceMake: 'Oculus', deviceModel: 'Quest 3', androidSdkVersion: 32, osName: 'Android', osVersion: '12L' },
    nameId: 28,
    userAgent: 'com.google.android.apps.youtube.vr.oculus/1.71.26 (Linux; U; Android 12L; eureka-user Build/SQ3A.220605.009.A1) gzip',
    ciphered: false,
    poToken: false,
    cookies: false,
  },
  IOS: {
    name: 'IOS',
    context: { clientName: 'IOS', clientVersion: '21.02.3', deviceMake: 'Apple', deviceModel: 'iPhone16,2', osName: 'iPhone', osVersion: '18.3.2.22D82' },
    nameId: 5,
    userAgent: 'com.google.ios.youtube/21.02.3 (iPhone16,2; U; CPU iOS 18_3_2 like Mac OS X;)',
    // Its GVS token can only be minted by iOS itself (bgutil-ytdlp-pot-provider #241): no provider helps.
    ciphered: false,
    poToken: false,
    cookies: false,
  },
  ANDROID: {
    name: 'ANDROID',
    context: { clientName: 'ANDROID', clientVersion: '21.03.36', androidSdkVersion: 30, osName: 'Android', osVersion: '11' },
    nameId: 3,
    userAgent: 'com.google.android.youtube/21.03.36 (Linux; U; Android 11) gzip',
    ciphered: false,
    poToken: false,
    cookies: false,
  },
  TV: {
    name: 'TV',
    context: { clientName: 'TVHTML5', clientVersion: '7.20260311.12.00' },
    nameId: 7,
    userAgent: 'Mozilla/5.0 (ChromiumStylePlatform) Cobalt/25.lts.30.1034943-gold (unlike Gecko), Unknown_TV_Unknown_0/Unknown (Unknown, Unknown)',
    ciphered: true,
    poToken: false,
    cookies: true,
  },
  TV_EMBEDDED: {
    name: 'TV_EMBEDDED',
    context: { clientName: 'TVHTML5_SIMPLY_EMBEDDED_PLAYER', clientVersion: '2.0', clientScreen: 'EMBED' },
    nameId: 85,
    userAgent: 'Mozilla/5.0 (ChromiumStylePlatform) Cobalt/Version',
    thirdParty: EMBED,
    ciphered: true,
    poToken: false,
    cookies: true,
  },
  WEB_EMBEDDED: {
    name: 'WEB_EMBEDDED',
    context: { clientName: 'WEB_EMBEDDED_PLAYER', clientVersion: '1.20260206.01.00', clientScreen: 'EMBED' },
    nameId: 56,
    userAgent: SAFARI,
    thirdParty: EMBED,
    ciphered: true,
    poToken: false,
    cookies: true,
  },
  MWEB: {
    name: 'MWEB',
    context: { clientName: 'MWEB', clientVersion: '2.20260205.04.01' },
    nameId: 2,
    userAgent: 'Mozilla/5.0 (iPad; CPU OS 16_7_10 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1,gzip(gfe)',
    ciphered: true,
    poToken: true,
    cookies: true,
  },
  WEB: {
    name: 'WEB',
    context: { clientName: 'WEB', clientVersion: '2.20260623.01.00' },
    nameId: 1,
    userAgent: SAFARI,
    ciphered: true,
    poToken: true,
    cookies: true,
  },
};
