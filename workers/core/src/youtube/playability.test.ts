import { describe, expect, it } from 'vitest';
import { checkPlayability } from './playability';

const answer = (status: string, reason: string, extra: Record<string, unknown> = {}) => ({
  playabilityStatus: { status, reason, ...extra },
  videoDetails: { videoId: 'abcdefghijk' },
});

describe('checkPlayability', () => {
  it.each([
    [answer('OK', ''), null, false],
    [answer('LOGIN_REQUIRED', 'Sign in to confirm you’re not a bot'), 'youtube.bot_check', true],
    [answer('LOGIN_REQUIRED', 'This video is private'), 'video.private', false],
    [answer('LOGIN_REQUIRED', 'Sign in to confirm your age'), 'video.age_restricted', true],
    [answer('AGE_CHECK_REQUIRED', 'This video may be inappropriate for some users.'), 'video.age_restricted', true],
    [answer('LOGIN_REQUIRED', 'Please sign in'), 'youtube.login', true],
    [answer('UNPLAYABLE', 'This video is only available to Music Premium members'), 'video.paid', false],
    [answer('UNPLAYABLE', "This video is available to this channel's members on level: Gold"), 'video.paid', false],
    [answer('UNPLAYABLE', 'This video requires payment to watch.'), 'video.paid', false],
    [answer('UNPLAYABLE', 'The uploader has not made this video available in your country'), 'video.region_restricted', true],
    [answer('ERROR', 'This video is unavailable'), 'video.not_found', false],
    [answer('ERROR', 'This video has been removed by the uploader'), 'video.not_found', false],
    [answer('UNPLAYABLE', 'Playback on other websites has been disabled'), 'video.unavailable', true],
    [answer('LIVE_STREAM_OFFLINE', 'This live event will begin in 3 hours.'), 'video.unavailable', false],
    [{}, 'video.not_found', false],
  ])('maps %j', (response, code, retryable) => {
    const failure = checkPlayability(response as never, 'abcdefghijk');
    if (code === null) return expect(failure).toBeNull();
    expect(failure?.error.code).toBe(code);
    expect(failure?.retryable).toBe(retryable);
    expect(failure?.error.message).not.toMatch(/undefined/);
  });
});
