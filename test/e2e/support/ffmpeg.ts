import { execFile } from 'node:child_process';

/**
 * The host's stock ffmpeg and ffprobe (Debian's; extension_picky on, as bots
 * have it), run asynchronously: the test servers live in this process and must
 * keep answering while ffmpeg reads from the service.
 */
function run(tool: string, args: string[], timeoutMs = 90_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(tool, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export interface Probe {
  formatName: string;
  duration: number;
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number }>;
}

/** ffprobe's view of a URL or file: container, duration and streams; throws with ffprobe's words when it cannot read it. */
export async function probe(target: string): Promise<Probe> {
  const { code, stdout, stderr } = await run(process.env.FFPROBE_PATH ?? 'ffprobe', ['-v', 'error', '-show_entries', 'format=format_name,duration:stream=codec_type,codec_name,width,height', '-of', 'json', target]);
  if (code !== 0) throw new Error(`ffprobe ${target} failed (${code}): ${stderr}`);
  const parsed = JSON.parse(stdout) as { format?: { format_name?: string; duration?: string }; streams?: Probe['streams'] };
  return { formatName: parsed.format?.format_name ?? '', duration: Number(parsed.format?.duration ?? NaN), streams: parsed.streams ?? [] };
}

/**
 * Plays a URL or file to the end as a player would (`ffmpeg -v error -i <url> -f null -`, no flags
 * beyond `before`, e.g. `-ss 3`): what it decoded (seconds of output) and what it complained of.
 */
export async function play(target: string, before: string[] = []): Promise<{ code: number; errors: string; seconds: number }> {
  const { code, stdout, stderr } = await run(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-v', 'error', '-nostdin', '-nostats', ...before, '-i', target, '-progress', 'pipe:1', '-f', 'null', '-']);
  const times = [...stdout.matchAll(/^out_time_us=(\d+)$/gm)].map((match) => Number(match[1]));
  return { code, errors: stderr.trim(), seconds: (times.at(-1) ?? 0) / 1e6 };
}

export const codecsOf = (result: Probe) => result.streams.map((stream) => `${stream.codec_type}:${stream.codec_name}`).sort();
