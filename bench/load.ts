import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Load and process measurements for `npm run bench`: wrk runs with the CPU
 * each workerd process of one `wrangler dev` spent (read from /proc), and
 * their memory.
 */
export async function drain(response: Response): Promise<number> {
  let bytes = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

export interface WrkResult {
  rps: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU of the workerd process that runs the Workers, per request. */
  workersCpuMs: number;
  /** CPU of wrangler dev's front workerd process (its proxy), per request. */
  frontCpuMs: number;
  /** CPU of every other process of the service (wrangler's Node process, npm start's, esbuild's watch), per request. */
  toolsCpuMs: number;
}

/**
 * `wrk -t2 -c16 -d8s` against one `wrangler dev`, with the CPU its two workerd
 * processes spent, apart. Asynchronous: the recorded-answer upstream lives in
 * this process and must keep answering while wrk runs.
 */
export async function wrk(service: { root: number; port: number }, url: string, extra: string[] = [], env: Record<string, string> = {}): Promise<WrkResult> {
  const before = workerdCpu(service);
  const { stdout: out } = await promisify(execFile)('wrk', ['-t2', '-c16', '-d8s', '--latency', ...extra, url], { encoding: 'utf8', env: { ...process.env, ...env } });
  const after = workerdCpu(service);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const failed = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)?.slice(1).reduce((a, b) => a + Number(b), 0) ?? 0);
  if (failed > requests / 100) throw new Error(`wrk against ${url}: ${failed} of ${requests} requests failed\n${out}`);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    requests,
    p50Ms: latencyMs(out, '50%'),
    p99Ms: latencyMs(out, '99%'),
    workersCpuMs: (after.workers - before.workers) / requests,
    frontCpuMs: (after.front - before.front) / requests,
    toolsCpuMs: (after.tools - before.tools) / requests,
  };
}

function latencyMs(out: string, percentile: string): number {
  const match = new RegExp(`^\\s*${percentile}\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(out);
  if (!match) return NaN;
  return Number(match[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[match[2]!]!;
}

/** A wrk script asking for a new video id each request: every one a metadata-cache miss. */
export function writeMissScript(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bench-wrk-')), 'miss.lua');
  writeFileSync(
    path,
    [
      'local threads = 0',
      'function setup(thread) threads = threads + 1; thread:set("tid", tostring(threads)) end',
      'local n = 0',
      'local prefix = os.getenv("BENCH_ID_PREFIX")',
      'function request() n = n + 1; return wrk.format("GET", "/v1/resolve?query=" .. prefix .. tid .. string.format("%06d", n)) end',
      '',
    ].join('\n'),
  );
  return path;
}

/**
 * User + system CPU, in ms, of one `wrangler dev`'s workerd processes: the one
 * running the Workers, and the front one listening on the service's port.
 * Only that dev server's process tree: other workerd on the machine are not counted.
 */
function workerdCpu(service: { root: number; port: number }): { workers: number; front: number; tools: number } {
  let workers = 0;
  let front = 0;
  let tools = 0;
  for (const pid of [service.root, ...descendants(service.root)]) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      if (!cmdline.includes('workerd')) tools += ms;
      else if (cmdline.includes(`entry=127.0.0.1:${service.port}`)) front += ms;
      else workers += ms;
    } catch {
      // process ended
    }
  }
  return { workers, front, tools };
}

/** The processes below `rootPid` (from /proc), the root not included. */
export function descendants(rootPid: number): number[] {
  const parents = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      parents.set(Number(pid), Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    } catch {
      // process ended
    }
  }
  const within = (pid: number): boolean => {
    for (let current = pid; current > 1; current = parents.get(current) ?? 0) if (current === rootPid) return true;
    return false;
  };
  return [...parents.keys()].filter(within);
}

/** Resident memory of the workerd processes started by one `npm start` (its process tree). */
export function workerdRssKiB(rootPid: number): number {
  let total = 0;
  for (const pid of descendants(rootPid)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerd')) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // process ended
    }
  }
  return total;
}
