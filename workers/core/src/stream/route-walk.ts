import { AppError } from '../errors';
import type { YouTubeClientName } from '../settings';
import type { ResolvedVideo } from '../youtube/types';
import type { StreamHealthWatch } from './stream-health';

/**
 * The first play works whenever any client can: when googlevideo refuses the URL
 * a resolve handed out, the stream asks for another route — a fresh resolve that
 * skips every client whose URL was refused so far (the watch knows them) — and
 * again for each refusal, through the whole chain and the fallback instances,
 * until one plays or a resolve offers nothing not already tried.
 *
 * The first step may repeat the route it started from: a 403 on a URL the watch
 * did not mark (a later chunk's) or of the only configured client may just be
 * an expired URL, which a fresh one of the same client cures.
 */
export class RouteWalk {
  private readonly tried = new Set<string>();
  private steps = 0;

  constructor(
    readonly watch: StreamHealthWatch,
    private readonly resolveSkipping: (skipClients: YouTubeClientName[]) => Promise<ResolvedVideo>,
  ) {}

  /** The route the stream starts from (`youtube:TV`, `invidious:https://…`). */
  began(video: Pick<ResolvedVideo, 'source'>): void {
    this.tried.add(video.source);
  }

  /** The next route to try; throws stream.upstream once every route is spent. */
  async next(): Promise<ResolvedVideo> {
    this.steps += 1;
    const video = await this.resolveSkipping(this.watch.refused);
    if (this.tried.has(video.source) && this.steps > 1) {
      throw new AppError('stream.upstream', 'The media host refused this track through every route this service has; try again later.', {
        logDetails: { refused: this.watch.refused, tried: [...this.tried] },
      });
    }
    this.tried.add(video.source);
    return video;
  }
}
