import { AppError } from '../errors';
import { markUnambiguous } from './client-verdict';
import type { PlayerResponse } from './player-response';

/**
 * Maps InnerTube's playabilityStatus to the service's error codes. `retryable`
 * says whether another client or instance might still succeed (a bot check, a
 * client-specific refusal) or whether the video itself is out of reach.
 */
export interface PlayabilityFailure {
  error: AppError;
  retryable: boolean;
}

export function checkPlayability(response: PlayerResponse, videoId: string): PlayabilityFailure | null {
  if (!response.playabilityStatus && !response.videoDetails) {
    return { error: new AppError('video.not_found', `Video ${videoId} does not exist.`), retryable: false };
  }
  const status = response.playabilityStatus?.status ?? 'OK';
  const reason = response.playabilityStatus?.reason ?? '';
  const detail = `${reason} ${JSON.stringify(response.playabilityStatus?.errorScreen ?? '')}`.toLowerCase();
  if (status === 'OK' || status === 'LIVE_STREAM_OFFLINE') {
    if (status === 'LIVE_STREAM_OFFLINE') {
      return { error: new AppError('video.unavailable', `Video ${videoId} is a live stream that has not started.`), retryable: false };
    }
    return null;
  }
  // YouTube named the video and said why: not one client's quirk (client-verdict.ts).
  const namesTheVideo = Boolean(response.videoDetails?.videoId) && reason.trim() !== '';
  const fail = (code: ConstructorParameters<typeof AppError>[0], message: string, retryable = false) => {
    const error = new AppError(code, message, { logDetails: { status, reason } });
    return { error: namesTheVideo ? markUnambiguous(error) : error, retryable };
  };

  if (/not a bot|confirm you.?re not/.test(detail)) return fail('youtube.bot_check', 'YouTube asked for a bot check; try again later.', true);
  if (/private/.test(detail)) return fail('video.private', `Video ${videoId} is private.`);
  if (/music premium|members|join this channel/.test(detail)) {
    return fail('video.paid', `Video ${videoId} is only for paying members or subscribers.`);
  }
  if (/requires payment|rent|purchase|paid/.test(detail)) return fail('video.paid', `Video ${videoId} must be bought or rented.`);
  if (/country|region|not available in your|blocked it in/.test(detail)) {
    return fail('video.region_restricted', `Video ${videoId} is not available in this region.`, true);
  }
  if (/\bage\b|inappropriate for some users/.test(detail) || status === 'AGE_CHECK_REQUIRED') {
    return fail('video.age_restricted', `Video ${videoId} is age-restricted and needs a signed-in account.`, true);
  }
  if (status === 'LOGIN_REQUIRED') return fail('youtube.login', `YouTube requires sign-in to play ${videoId}.`, true);
  if (status === 'ERROR') {
    if (/doesn.?t exist|does not exist|unavailable|removed|terminated/.test(detail) || detail.trim() === '""') {
      return fail('video.not_found', `Video ${videoId} does not exist or was removed.`);
    }
    return fail('video.unavailable', `Video ${videoId} is unavailable: ${reason || 'no reason given'}.`);
  }
  // UNPLAYABLE often means "not on this client"; another client may play it.
  return fail('video.unavailable', `Video ${videoId} cannot be played${reason ? `: ${reason}` : ''}.`, true);
}
