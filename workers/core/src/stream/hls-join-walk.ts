import { AppError } from '../errors';
import type { ResolvedVideo } from '../youtube/types';
import { joinedHlsBody, planHlsJoin, type HlsJoinOptions, type HlsJoinPlan } from './hls-join';
import type { RouteWalk } from './route-walk';

export interface JoinedRoute {
  /** The route whose stream is joined: its client minted every playlist and segment fetched. */
  video: ResolvedVideo;
  plan: HlsJoinPlan;
  /** The joined file; null when only the plan was asked for (a HEAD). */
  body: ReadableStream<Uint8Array> | null;
}

/**
 * The HLS join along the chain (issue 18 §7): googlevideo refusing (403) the manifest, a variant
 * playlist or the first segment of one client's stream sends the join back to its start on the
 * next client's route, until one plays or every route is spent (route-walk.ts). Nothing has gone
 * out by then: the first segment is fetched before the body is handed back.
 *
 * A refusal after that ends the file where it is (the body errors, so a player or an upload sees
 * a cut transfer, never a short file that looks whole): two clients' streams are not spliced —
 * their variants and segment boundaries need not match. The refusal is recorded against the
 * client in its health all the same.
 */
export async function joinAlongRoutes(
  first: ResolvedVideo,
  walk: RouteWalk,
  optionsFor: (video: ResolvedVideo) => HlsJoinOptions,
  want: { body: boolean },
): Promise<JoinedRoute> {
  let video = first;
  for (;;) {
    if (!video.hlsManifestUrl) throw new AppError('video.no_formats', 'This video has no HLS stream to join.');
    const given = optionsFor(video);
    // Every playlist and segment counts toward the client that minted the manifest.
    const options: HlsJoinOptions = { ...given, fetch: walk.watch.wrapRoute(given.fetch, video) };
    const refusedBefore = walk.watch.refused.length;
    try {
      const plan = await planHlsJoin(video.hlsManifestUrl, options);
      return { video, plan, body: want.body ? await joinedHlsBody(plan, options) : null };
    } catch (error) {
      if (walk.watch.refused.length === refusedBefore) throw error;
      video = await walk.next();
    }
  }
}
