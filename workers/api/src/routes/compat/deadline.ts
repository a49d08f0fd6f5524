import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../env';
import { AppError } from '../../../../core/src/errors';
import type { ErrorShape } from '../../middleware/error-shape';
import { validate } from '../../middleware/validate';
import { MAX_QUERY_LENGTH } from '../../query/parse-query';
import { limitCaller, limitIp } from '../../middleware/rate-limit';
import { verifiedClaims } from '../stream';
import { fileUrlOf, flag, resolveBotTrack } from './bot-track';
import { describe } from '../describe';

/**
 * DeadlineTech (deadlineTech/music `DeadlineTech/platforms/Youtube.py`):
 * `GET /youtube/v2/download?query=&isVideo=true|false&api_key=` starts a job,
 * `GET /youtube/jobStatus?job_id=` (sent without a key in one version) is polled
 * until a file URL appears. The clients look for `public_url`, `cdnurl`,
 * `download_url`, `url` or `tg_link` under `job.result` or at the top, and one
 * version downloads a URL found in the first answer at once, another polls
 * whenever a `job_id` is there. We resolve at once, so both answers carry the
 * URL. The job id is the file's signed token: unguessable, and polling it
 * spends no quota. Only URL-valued fields use those names: the clients take
 * any non-empty string there as the file.
 */
const StartQuerySchema = z.object({
  query: z.string().max(MAX_QUERY_LENGTH + 1000).default(''),
  isVideo: flag,
});

const StatusQuerySchema = z.object({ job_id: z.string().min(1, 'job_id is required').max(2000) });

/**
 * Its client gives up on a 400 or 404 and retries anything else (5 tries in each of 5
 * cycles, the newer version): a track that cannot be played is a 404 here, so one play
 * of a private video spends 5 requests of quota, not 25. X-Error-Code keeps the real code.
 */
export const deadlineErrors: ErrorShape = (error) => ({
  status: error.code.startsWith('video.') && error.status < 500 ? 404 : error.status,
  body: { status: 'error', error: error.message, message: error.message, code: error.code, job: { status: 'error', error: error.message } },
});

function jobAnswer(c: Context<AppEnv>, jobId: string, result: Record<string, unknown>) {
  const publicUrl = fileUrlOf(c, jobId);
  return c.json({
    status: 'success',
    job_id: jobId,
    job: { id: jobId, status: 'done', result: { ...result, public_url: publicUrl } },
    public_url: publicUrl,
  });
}

export const deadlineRoute = new Hono<AppEnv>()
  .get('/youtube/v2/download', describe({ tag: 'compat', auth: 'key', summary: 'DeadlineTech: start a download job', description: 'Answers the job at once with its file URL (public_url); the job id is the file link\'s signed token, so it cannot be guessed.', errors: ['request.invalid', 'video.not_found', 'video.unavailable', 'youtube.unavailable'] }), validate('query', StartQuerySchema), async (c) => {
    const { query, isVideo } = c.req.valid('query');
    const bot = await resolveBotTrack(c, query, isVideo ? 'video' : 'audio');
    const { video } = bot.track;
    return jobAnswer(c, bot.token, { video_id: video.id, title: video.title, duration: video.duration, format: bot.format });
  })
  .get('/youtube/jobStatus', describe({ tag: 'compat', auth: 'public', summary: 'DeadlineTech: poll a download job', description: 'Needs no key (the bots send none): the job id is unguessable. Spends no quota.', errors: ['request.invalid', 'route.not_found'] }), validate('query', StatusQuerySchema), async (c) => {
    const jobId = c.req.valid('query').job_id.trim();
    const claims = await verifiedClaims(c, jobId, { counts: false }).catch(async (error: unknown) => {
      // A guessed job id counts against the IP.
      await limitIp(c);
      if (error instanceof AppError && error.code === 'stream.token_invalid') throw new AppError('route.not_found', 'No such job.');
      throw error;
    });
    // A bot server polls for all its listeners from one IP: a poll counts against the job's key, like any keyed request.
    await limitCaller(c);
    return jobAnswer(c, jobId, { video_id: claims.videoId });
  });
