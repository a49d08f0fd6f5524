import type { YouTubeClientName } from '../settings';

/**
 * What a PO token is bound to, as YouTube binds web tokens since late July 2026
 * (yt-dlp's yt_dlp/extractor/youtube/pot/utils.py get_webpo_content_binding, and
 * bgutil-ytdlp-pot-provider 1.3.2's getWebpoContentBinding):
 * - the player token (`serviceIntegrityDimensions.poToken`) to the video id;
 * - the GVS token (`pot` on googlevideo and HLS manifest URLs) to the session that made
 *   the player request: its visitor data when signed out, the account's data sync id when
 *   signed in (cookies).
 * A token minted for one binding is refused for another, so the visitor data that binds
 * the GVS token is the one the player request carried.
 */
export interface PlayerSession {
  /** The visitorData sent in `context.client` / X-Goog-Visitor-Id, or the one YouTube answered with. */
  visitorData?: string;
  /** `responseContext.mainAppWebResponseContext.datasyncId` of a signed-in answer. */
  dataSyncId?: string;
  signedIn: boolean;
}

/** The GVS token's content binding, or null when the session does not tell it (no token can be bound). */
export function gvsContentBinding(session: PlayerSession): string | null {
  if (session.signedIn) return session.dataSyncId || null;
  return session.visitorData || null;
}

/** The player token's content binding. */
export function playerContentBinding(videoId: string): string {
  return videoId;
}

/**
 * Clients whose player request wants a player token (yt-dlp's PLAYER_PO_TOKEN_POLICY, as YouTube
 * applies it to a session without one): WEB answers SABR only without it; MWEB plays with the GVS
 * token alone, so it is spared the second provider call.
 */
const PLAYER_TOKEN_CLIENTS: ReadonlySet<YouTubeClientName> = new Set(['WEB']);

export function wantsPlayerToken(client: YouTubeClientName): boolean {
  return PLAYER_TOKEN_CLIENTS.has(client);
}
