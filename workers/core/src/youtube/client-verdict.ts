import type { AppError } from '../errors';
import type { ClientKind } from './clients';

/**
 * When a client's refusal is the video's verdict (issue 18 §4). YouTube refuses some videos to
 * some clients only: VISIONOS and ANDROID_VR answer "This video is unavailable" for "made for
 * kids" videos that web_embedded and tv_downgraded play, and embedded players refuse videos
 * whose owner disabled embedding. So a refusal saying the video is gone, private, paid,
 * age-restricted or region-locked is only a claim until
 * - a client of another kind says the same, or
 * - the answer is unambiguous: YouTube names the video (videoDetails) and gives its reason
 *   (a "not found" never is: an answer naming the video contradicts it).
 * A claim no other kind could check (the chain has one kind, or every other kind failed on its
 * own account, a bot check say) stands only when no other kind answered at all; when another
 * kind failed for reasons of its own, that failure (try again later) is the answer, not the claim.
 */
const VERDICTS: ReadonlySet<string> = new Set(['video.not_found', 'video.private', 'video.paid', 'video.age_restricted', 'video.region_restricted']);
/**
 * Verdicts that end the search once settled. Age and region go on even then: an embedded player
 * may get past an age gate, and a fallback instance in another country past a region lock.
 */
const ENDS_SEARCH: ReadonlySet<string> = new Set(['video.not_found', 'video.private', 'video.paid']);

const unambiguous = new WeakSet<AppError>();

/** Marks a refusal whose answer named the video and gave a reason (playability.ts decides). */
export function markUnambiguous(error: AppError): AppError {
  unambiguous.add(error);
  return error;
}

export function isVerdict(error: AppError): boolean {
  return VERDICTS.has(error.code);
}

export class VerdictTally {
  private readonly claims = new Map<string, { error: AppError; kinds: Set<ClientKind>; settled: boolean }>();
  private readonly otherFailures: { kind: ClientKind }[] = [];

  /** Records one client's failure; true when it settles the video's fate and the search should end now. */
  add(error: AppError, kind: ClientKind): boolean {
    if (!isVerdict(error)) {
      this.otherFailures.push({ kind });
      return false;
    }
    const claim = this.claims.get(error.code) ?? { error, kinds: new Set<ClientKind>(), settled: false };
    claim.kinds.add(kind);
    if (unambiguous.has(error) && error.code !== 'video.not_found') claim.settled = true;
    if (claim.kinds.size >= 2) claim.settled = true;
    this.claims.set(error.code, claim);
    return claim.settled && ENDS_SEARCH.has(error.code);
  }

  /** At the end of the search: the verdict that stands, or null when none was confirmed. */
  standing(): AppError | null {
    const claims = [...this.claims.values()];
    const settled = claims.find((claim) => claim.settled);
    if (settled) return settled.error;
    const lone = claims[0];
    if (!lone) return null;
    // Another kind failed on its own account: it never got to say whether it agrees.
    const claimed = new Set(claims.flatMap((claim) => [...claim.kinds]));
    const unheard = this.otherFailures.some((failure) => !claimed.has(failure.kind));
    return unheard ? null : lone.error;
  }
}
