import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { markUnambiguous, VerdictTally } from './client-verdict';

const gone = () => new AppError('video.not_found', 'gone');
const botCheck = () => new AppError('youtube.bot_check', 'bot');

describe('a refusal as the video’s verdict', () => {
  it('is only a claim from one kind of client; a second kind agreeing settles it', () => {
    const tally = new VerdictTally();
    expect(tally.add(gone(), 'app')).toBe(false);
    expect(tally.add(gone(), 'app')).toBe(false);
    expect(tally.add(gone(), 'tv')).toBe(true);
  });

  it('settles at once when the answer named the video and gave its reason, except “not found”', () => {
    expect(new VerdictTally().add(markUnambiguous(new AppError('video.private', 'private')), 'app')).toBe(true);
    expect(new VerdictTally().add(markUnambiguous(gone()), 'app')).toBe(false);
  });

  it('does not end the search for age or region limits, which another client or instance may get past', () => {
    const tally = new VerdictTally();
    expect(tally.add(new AppError('video.age_restricted', 'age'), 'app')).toBe(false);
    expect(tally.add(new AppError('video.age_restricted', 'age'), 'tv')).toBe(false);
    expect(tally.standing()?.code).toBe('video.age_restricted');
  });

  it('at the end: an unconfirmed claim stands when no other kind answered, not when another kind failed on its own account', () => {
    const alone = new VerdictTally();
    alone.add(gone(), 'app');
    alone.add(botCheck(), 'app');
    expect(alone.standing()?.code).toBe('video.not_found');
    const unheard = new VerdictTally();
    unheard.add(gone(), 'app');
    unheard.add(botCheck(), 'tv');
    expect(unheard.standing()).toBeNull();
  });
});
