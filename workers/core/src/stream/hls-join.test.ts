import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger';
import { createOutbound, type OutboundFetch } from '../outbound/http';
import { joinedHlsBody, planHlsJoin, type HlsJoinOptions } from './hls-join';

const MASTER = [
  '#EXTM3U',
  '#EXT-X-STREAM-INF:BANDWIDTH=4000000,CODECS="avc1.640028,mp4a.40.2",RESOLUTION=1920x1080',
  'https://manifest.googlevideo.com/v/1080.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=1500000,CODECS="avc1.4d401f,mp4a.40.2",RESOLUTION=1280x720',
  'https://manifest.googlevideo.com/v/720.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=2000000,CODECS="avc1.4d401f",RESOLUTION=1280x720',
  'https://manifest.googlevideo.com/v/720-silent.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.4d4015,mp4a.40.2",RESOLUTION=426x240',
  'https://manifest.googlevideo.com/v/240.m3u8',
  '',
].join('\n');

function media(name: string, extra: string[] = []) {
  return ['#EXTM3U', '#EXT-X-TARGETDURATION:5', ...extra, '#EXTINF:5.0,', `seg/${name}-1.ts`, '#EXTINF:5.0,', `seg/${name}-2.ts`, '#EXTINF:5.0,', `https://rr1.googlevideo.com/${name}-3.ts`, '#EXT-X-ENDLIST', ''].join('\n');
}

function options(answers: Record<string, string | number>, overrides: Partial<HlsJoinOptions> = {}) {
  const asked: string[] = [];
  const fetch: OutboundFetch = async (input) => {
    const url = String(input);
    asked.push(url);
    const answer = answers[url] ?? (url.endsWith('.ts') ? `<${url.split('/').pop()}>` : 404);
    return typeof answer === 'number' ? new Response('no', { status: answer }) : new Response(answer);
  };
  const checkUrl = (url: string) => {
    if (!new URL(url).hostname.endsWith('googlevideo.com')) throw new Error(`forbidden ${url}`);
  };
  return { asked, options: { fetch, checkUrl, ...overrides } satisfies HlsJoinOptions };
}

const MASTER_URL = 'https://manifest.googlevideo.com/master.m3u8';
const ALL = { [MASTER_URL]: MASTER, ...Object.fromEntries(['1080', '720', '720-silent', '240'].map((name) => [`https://manifest.googlevideo.com/v/${name}.m3u8`, media(name)])) };

describe('planHlsJoin / joinedHlsBody', () => {
  it('picks the best variant with sound up to 720p and joins its segments in order into one body', async () => {
    const { asked, options: join } = options(ALL);
    const plan = await planHlsJoin(MASTER_URL, join);
    expect(plan).toMatchObject({ bandwidth: 1_500_000, height: 720 });
    expect(plan.segments).toEqual([
      'https://manifest.googlevideo.com/v/seg/720-1.ts',
      'https://manifest.googlevideo.com/v/seg/720-2.ts',
      'https://rr1.googlevideo.com/720-3.ts',
    ]);
    const text = await new Response(await joinedHlsBody(plan, join)).text();
    expect(text).toBe('<720-1.ts><720-2.ts><720-3.ts>');
    expect(asked.filter((url) => url.endsWith('.ts'))).toEqual(plan.segments);
  });

  it('takes a smaller variant when the bigger one would not fit maxBytes', async () => {
    const { options: join } = options(ALL, { maxBytes: 20 * 1024 * 1024, durationSeconds: 240 });
    // 720p: 1.5 Mbit/s × 240 s = 45 MB, over 20 MB; 240p: 9 MB.
    expect((await planHlsJoin(MASTER_URL, join)).height).toBe(240);
  });

  it('refuses encrypted, fragmented-MP4 and byte-range playlists, and hosts outside the media hosts', async () => {
    for (const extra of ['#EXT-X-KEY:METHOD=AES-128,URI="https://manifest.googlevideo.com/k"', '#EXT-X-MAP:URI="init.mp4"']) {
      const { options: join } = options({ 'https://manifest.googlevideo.com/m.m3u8': media('x', [extra]) });
      await expect(planHlsJoin('https://manifest.googlevideo.com/m.m3u8', join)).rejects.toMatchObject({ code: 'video.no_formats' });
    }
    const evil = ['#EXTM3U', '#EXTINF:5.0,', 'http://169.254.169.254/latest', '#EXT-X-ENDLIST'].join('\n');
    const { options: join } = options({ 'https://manifest.googlevideo.com/m.m3u8': evil });
    await expect(planHlsJoin('https://manifest.googlevideo.com/m.m3u8', join)).rejects.toThrow(/forbidden/);
  });

  it('fails before answering when the first segment is refused, and ends the body when a later one is', async () => {
    const first = options({ ...ALL, 'https://manifest.googlevideo.com/v/seg/720-1.ts': 403 });
    const plan = await planHlsJoin(MASTER_URL, first.options);
    await expect(joinedHlsBody(plan, first.options)).rejects.toMatchObject({ code: 'stream.upstream' });
    const later = options({ ...ALL, 'https://manifest.googlevideo.com/v/seg/720-2.ts': 403 });
    const body = await joinedHlsBody(plan, later.options);
    await expect(new Response(body).text()).rejects.toThrow();
  });

  it('joins segments whose bodies take longer than the segment timeout: it bounds each answer, not the reading of its body', async () => {
    const { options: join } = options(ALL);
    const plan = await planHlsJoin(MASTER_URL, join);
    // As fetch does: the answer comes at once, its body later, and the body fails if the call's signal aborts first.
    const slowBodies = createOutbound({
      upstreamOrigins: {},
      timeoutMs: 50,
      logger: createLogger({ level: 'error', format: 'json', sink: () => {} }),
      transport: async (input, init) => {
        const text = `<${String(input).split('/').pop()}>`;
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            const timer = setTimeout(() => (controller.enqueue(new TextEncoder().encode(text)), controller.close()), 120);
            init?.signal?.addEventListener('abort', () => (clearTimeout(timer), controller.error(init.signal!.reason)));
          },
        });
        return new Response(body);
      },
    });
    const body = await joinedHlsBody(plan, { ...join, fetch: slowBodies, segmentTimeoutMs: 50 });
    expect(await new Response(body).text()).toBe('<720-1.ts><720-2.ts><720-3.ts>');
  });
});
