import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Small real media, encoded by the host's ffmpeg in a test's set-up (a tone
 * and a test picture), for the test googlevideo to serve in place of its
 * deterministic bytes: what a player (ffmpeg, under PyTgCalls and the bots'
 * download helpers) is handed must play, not only match bytes.
 */
export const MEDIA_SECONDS = 6;
/** googlevideo's itags for what each file is: AAC in MP4, Opus in WebM, progressive H.264 + AAC. */
export const MEDIA_ITAGS = { m4a: 140, webm: 251, mp4: 18 } as const;

export interface RealMedia {
  /** itag → the file's bytes. */
  files: Record<number, Uint8Array>;
  /** The HLS rendition: MPEG-TS segments (H.264 + AAC) and their durations. */
  hls: Array<{ bytes: Uint8Array; seconds: number }>;
  seconds: number;
}

function ffmpeg(args: string[]): void {
  execFileSync(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function generateMedia(dir: string): RealMedia {
  mkdirSync(join(dir, 'hls'), { recursive: true });
  const tone = ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${MEDIA_SECONDS}`];
  const picture = ['-f', 'lavfi', '-i', `testsrc=size=320x240:rate=25:duration=${MEDIA_SECONDS}`];
  // Keyframes every 2 s, so HLS segments cut there and a seek lands near its time.
  const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '50', '-keyint_min', '50', '-sc_threshold', '0'];
  ffmpeg([...tone, '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', join(dir, 'audio.m4a')]);
  ffmpeg([...tone, '-c:a', 'libopus', '-b:a', '48k', join(dir, 'audio.webm')]);
  ffmpeg([...picture, ...tone, ...h264, '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', join(dir, 'video.mp4')]);
  ffmpeg([...picture, ...tone, ...h264, '-c:a', 'aac', '-b:a', '64k', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod',
    '-hls_segment_filename', join(dir, 'hls', 'seg%d.ts'), join(dir, 'hls', 'index.m3u8')]);
  const playlist = readFileSync(join(dir, 'hls', 'index.m3u8'), 'utf8').split('\n');
  const hls: RealMedia['hls'] = [];
  playlist.forEach((line, index) => {
    const seconds = /^#EXTINF:([\d.]+)/.exec(line)?.[1];
    if (seconds) hls.push({ seconds: Number(seconds), bytes: readFileSync(join(dir, 'hls', playlist[index + 1]!.trim())) });
  });
  if (hls.length < 2 || readdirSync(join(dir, 'hls')).length < 3) throw new Error('ffmpeg cut fewer than two HLS segments');
  return {
    files: {
      [MEDIA_ITAGS.m4a]: readFileSync(join(dir, 'audio.m4a')),
      [MEDIA_ITAGS.webm]: readFileSync(join(dir, 'audio.webm')),
      [MEDIA_ITAGS.mp4]: readFileSync(join(dir, 'video.mp4')),
    },
    hls,
    seconds: MEDIA_SECONDS,
  };
}

const MIME: Record<number, string> = {
  [MEDIA_ITAGS.m4a]: 'audio/mp4; codecs="mp4a.40.2"',
  [MEDIA_ITAGS.webm]: 'audio/webm; codecs="opus"',
  [MEDIA_ITAGS.mp4]: 'video/mp4; codecs="avc1.42001E, mp4a.40.2"',
};

/**
 * A recorded player answer made to describe the real media: its audio
 * formats become the m4a and the webm (sizes, `clen=`, duration), a
 * progressive itag 18 is added, and every other format goes, so the service
 * can only pick real media.
 */
export function describeRealMedia(answer: any, media: RealMedia, options: { progressive: boolean }): void {
  const streaming = answer?.streamingData;
  if (!streaming) return;
  const template = [...(streaming.adaptiveFormats ?? []), ...(streaming.formats ?? [])].find((format: any) => typeof format.url === 'string');
  if (!template) return;
  const formatFor = (itag: number) => {
    const bytes = media.files[itag]!;
    const url = new URL(template.url);
    url.searchParams.set('itag', String(itag));
    url.searchParams.set('clen', String(bytes.length));
    url.searchParams.set('mime', MIME[itag]!.split(';')[0]!);
    url.searchParams.set('dur', media.seconds.toFixed(3));
    const audio = itag !== MEDIA_ITAGS.mp4;
    return {
      itag, url: url.toString(), mimeType: MIME[itag], contentLength: String(bytes.length),
      bitrate: Math.round((bytes.length * 8) / media.seconds), averageBitrate: Math.round((bytes.length * 8) / media.seconds),
      approxDurationMs: String(media.seconds * 1000), lastModified: template.lastModified ?? '1700000000000000',
      ...(audio ? { audioQuality: 'AUDIO_QUALITY_MEDIUM', audioSampleRate: '48000', audioChannels: 1 } : { width: 320, height: 240, quality: 'small', qualityLabel: '240p', fps: 25, audioQuality: 'AUDIO_QUALITY_LOW', audioSampleRate: '48000', audioChannels: 1 }),
    };
  };
  streaming.adaptiveFormats = [formatFor(MEDIA_ITAGS.m4a), formatFor(MEDIA_ITAGS.webm)];
  streaming.formats = options.progressive ? [formatFor(MEDIA_ITAGS.mp4)] : [];
  if (answer.videoDetails && !answer.videoDetails.isLive) answer.videoDetails.lengthSeconds = String(media.seconds);
}

/** The media playlist of the real HLS rendition, its segments named as googlevideo names them. */
export function realMediaPlaylist(media: RealMedia, segmentPath: (sq: number, size: number) => string): string {
  const longest = Math.ceil(Math.max(...media.hls.map((segment) => segment.seconds)));
  return [
    '#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-TARGETDURATION:${longest}`, '#EXT-X-MEDIA-SEQUENCE:1', '#EXT-X-PLAYLIST-TYPE:VOD',
    ...media.hls.flatMap((segment, index) => [`#EXTINF:${segment.seconds.toFixed(3)},`, `https://rr1---sn-test.googlevideo.com${segmentPath(index + 1, segment.bytes.length)}`]),
    '#EXT-X-ENDLIST', '',
  ].join('\n');
}
