import { AppError } from '../errors';
import type { OutboundFetch } from '../outbound/http';
import type { ClientProfile } from './clients';
import { signedInHeaders, type YouTubeCookies } from './cookies';

/**
 * One InnerTube `/player` request as the client in `profile` sends it. Built
 * here rather than by youtubei.js, whose request builder replaces the context
 * with its own (older) client versions and cannot carry a PO token or the
 * player's signatureTimestamp for every client.
 */
export interface PlayerRequest {
  videoId: string;
  profile: ClientProfile;
  visitorData?: string;
  /** The player script's sts, for a ciphered client: its signatures are only valid for that player. */
  signatureTimestamp?: number;
  poToken?: string;
  cookies?: YouTubeCookies | null;
}

const PLAYER_URL = 'https://www.youtube.com/youtubei/v1/player?prettyPrint=false';

export function playerRequestBody(request: PlayerRequest): Record<string, unknown> {
  const { profile } = request;
  return {
    context: {
      client: { hl: 'en', gl: 'US', ...profile.context, ...(request.visitorData ? { visitorData: request.visitorData } : {}) },
      ...(profile.thirdParty ? { thirdParty: profile.thirdParty } : {}),
      user: { lockedSafetyMode: false },
      request: { useSsl: true },
    },
    videoId: request.videoId,
    racyCheckOk: true,
    contentCheckOk: true,
    playbackContext: {
      contentPlaybackContext: {
        html5Preference: 'HTML5_PREF_WANTS',
        ...(request.signatureTimestamp ? { signatureTimestamp: request.signatureTimestamp } : {}),
      },
    },
    ...(request.poToken ? { serviceIntegrityDimensions: { poToken: request.poToken } } : {}),
  };
}

export async function requestPlayer(fetch: OutboundFetch, request: PlayerRequest): Promise<unknown> {
  const { profile } = request;
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'User-Agent': profile.userAgent,
    'X-Youtube-Client-Name': String(profile.nameId),
    'X-Youtube-Client-Version': String(profile.context.clientVersion),
    Origin: 'https://www.youtube.com',
    ...(request.visitorData ? { 'X-Goog-Visitor-Id': request.visitorData } : {}),
    ...(request.cookies && profile.cookies ? await signedInHeaders(request.cookies) : {}),
  };
  const response = await fetch(PLAYER_URL, { method: 'POST', headers, body: JSON.stringify(playerRequestBody(request)), label: 'youtube.player' });
  if (!response.ok) {
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    throw new AppError('youtube.unavailable', `YouTube refused the ${profile.name} client.`, { logDetails: { status: response.status, detail } });
  }
  try {
    return await response.json();
  } catch {
    throw new AppError('youtube.unavailable', 'YouTube answered in an unexpected shape.', { logDetails: { client: profile.name } });
  }
}
