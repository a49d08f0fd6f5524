import { toAppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import type { YouTubeClientName, YouTubeSettings } from '../settings';
import { isAllowedStreamHost } from '../stream/upstream-hosts';
import type { ClientHealth } from './client-health';
import type { ClientTable } from './client-overrides';
import { tableOf } from './client-table';
import { Extractor } from './extractor';
import type { PlayerFunctionsNamespace } from './player-functions';
import { bestAudio } from './formats';
import { mediaHeadersOf } from './media-headers';
import type { ResolvedVideo } from './types';

/**
 * The canary (cron, every 15 minutes): one long-lived public video resolved
 * through each configured client on its own, and the first KiB of its audio
 * fetched, as a user's request would. Each client's outcome is recorded
 * (phase `canary`), so a client that is dying shows in /health?deep=true and
 * goes to cool-off before a user meets it; one that has come back leaves
 * cool-off early.
 */
export interface CanaryDeps {
  config: YouTubeSettings;
  fetch: OutboundFetch;
  logger: Logger;
  health: ClientHealth;
  routeKey: string;
  /** The effective client table (client-table.ts); by default the built-in one with YOUTUBE_CLIENT_OVERRIDES. */
  clientTable?: () => Promise<ClientTable>;
  /** The player functions' durable home (player-functions.ts), when the Worker binds it. */
  playerFunctions?: PlayerFunctionsNamespace;
}

export interface CanaryResult {
  client: YouTubeClientName;
  code: string;
  latencyMs: number;
}

const PROBE_BYTES = 1024;

export async function runCanary(videoId: string, deps: CanaryDeps): Promise<CanaryResult[]> {
  const results: CanaryResult[] = [];
  const clientTable = deps.clientTable ?? (async () => tableOf(deps.config.YOUTUBE_CLIENT_OVERRIDES));
  const table = await clientTable();
  // One client at a time: the canary should look like one careful user, not a burst.
  for (const client of deps.config.YOUTUBE_CLIENTS) {
    // A PO-token client without a provider is never asked by a resolve either: it stays `unused`.
    if (table[client].poToken && !deps.config.PO_TOKEN_PROVIDER_URL) continue;
    const single = { ...deps.config, YOUTUBE_CLIENTS: [client], FALLBACK_INSTANCES: [] };
    const extractor = new Extractor(single, deps.fetch, deps.logger, deps.routeKey, { clientTable: async () => table, playerFunctions: deps.playerFunctions });
    const started = Date.now();
    let code: string;
    try {
      code = await firstBytes(await extractor.resolve(videoId), deps);
    } catch (error) {
      code = toAppError(error).code;
    }
    const result = { client, code, latencyMs: Date.now() - started };
    deps.health.record({ ...result, phase: 'canary' });
    results.push(result);
  }
  deps.logger.info('youtube.canary', { videoId, results });
  if (results.every((result) => result.code.startsWith('video.'))) {
    deps.logger.warn('youtube.canary_video_unusable', { videoId, code: results[0]?.code, hint: 'set CANARY_VIDEO_ID to a long-lived public video' });
  }
  return results;
}

/** googlevideo's answer to the client's URL: it refused ANDROID_VR's in 2026 while the player answered fine. */
async function firstBytes(video: ResolvedVideo, deps: CanaryDeps): Promise<string> {
  const format = bestAudio(video.formats);
  if (!format) return 'video.no_formats';
  const url = new URL(format.url);
  if (!isAllowedStreamHost(url, [])) return 'stream.host_forbidden';
  url.searchParams.set('range', `0-${PROBE_BYTES - 1}`);
  // Fetched as the client that minted it, as every stream is: googlevideo refuses anyone else.
  const response = await deps.fetch(url.toString(), { label: 'youtube.canary', headers: mediaHeadersOf(video) });
  await response.body?.cancel();
  if (response.ok) return 'ok';
  return response.status === 403 ? 'googlevideo.forbidden' : 'googlevideo.unavailable';
}
