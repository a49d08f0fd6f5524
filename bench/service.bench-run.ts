import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { readExchange } from '../test/servers/fixtures';
import { startYouTubeUpstream } from '../test/servers/youtube-upstream';
import { startService } from '../test/e2e/support/npm-start';

/**
 * `npm run bench`: one run, figures side by side. Timings are printed, never
 * asserted. Two instances run from `npm start`: keys on and keys off. A
 * reference Worker (bench/reference-worker) under the same `wrangler dev`
 * shows what workerd itself costs on this machine: a pass-through fetch and
 * a bare Durable Object call.
 */
const ADMIN = 'bench-admin-key-0123456789';
let upstream: Awaited<ReturnType<typeof startYouTubeUpstream>>;
let keyed: Awaited<ReturnType<typeof startService>>;
let open: Awaited<ReturnType<typeof startService>>;
let reference: ChildProcess;
const REFERENCE = 'http://127.0.0.1:8813';
const rows: string[][] = [];

beforeAll(async () => {
  upstream = await startYouTubeUpstream();
  const origins = JSON.stringify({ 'www.youtube.com': upstream.url, 'youtubei.googleapis.com': upstream.url, '*.googlevideo.com': upstream.url, 'music.youtube.com': upstream.url });
  const common = { UPSTREAM_ORIGINS: origins, ADMIN_API_KEY: ADMIN, RATE_LIMIT_PER_MINUTE: '0', KEY_RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'error', STREAM_SIGNING_KEY: 'bench-signing-key-0123456789' };
  [keyed, open] = await Promise.all([startService(8811, common), startService(8812, { ...common, REQUIRE_API_KEY: 'false' })]);
  reference = spawn('wrangler', ['dev', '-c', 'bench/reference-worker/wrangler.toml', '--ip', '127.0.0.1', '--port', '8813', '--inspector-port', '9813', '--persist-to', mkdtempSync(join(tmpdir(), 'bench-reference-'))], { stdio: 'ignore', detached: true });
  for (let attempt = 0; !(await fetch(`${REFERENCE}/plain`).then((response) => response.ok, () => false)); attempt++) {
    if (attempt > 120) throw new Error('the reference Worker did not start');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
});

afterAll(async () => {
  keyed?.stop();
  open?.stop();
  if (reference?.pid) process.kill(-reference.pid, 'SIGTERM');
  await upstream?.close();
  console.log(`\n| measure | value |\n| --- | --- |\n${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}\n`);
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const serverTotal = (response: Response) => Number(/total;dur=([\d.]+)/.exec(response.headers.get('Server-Timing') ?? '')?.[1] ?? NaN);

it('resolve: time per warm request next to a bare JSON.parse of the same body', async () => {
  const create = await fetch(`${keyed.url}/admin/keys`, { method: 'POST', headers: { 'X-API-Key': ADMIN, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'bench', daily_limit: 100_000_000 }) });
  const { key } = (await create.json()) as { key: string };
  process.env.BENCH_KEY = key;
  const headers = { 'X-API-Key': key };
  await fetch(`${keyed.url}/v1/resolve?query=M4gD1WSo5mA`, { headers });
  await fetch(`${open.url}/v1/resolve?query=M4gD1WSo5mA`);
  const hits: number[] = [];
  let cpu = workerdCpuMs();
  for (let i = 0; i < 300; i++) hits.push(serverTotal(await fetch(`${keyed.url}/v1/resolve?query=M4gD1WSo5mA`, { headers })));
  const hitCpu = (workerdCpuMs() - cpu) / 300;
  cpu = workerdCpuMs();
  for (let i = 0; i < 300; i++) await fetch(`${open.url}/v1/resolve?query=M4gD1WSo5mA`);
  const openHitCpu = (workerdCpuMs() - cpu) / 300;
  const misses: number[] = [];
  const aliases = Array.from({ length: 100 }, (_, i) => `bench${String(i).padStart(6, '0')}`);
  for (const id of aliases) await fetch(`${upstream.url}/__control/alias`, { method: 'POST', body: JSON.stringify({ videoId: id, recordedId: 'M4gD1WSo5mA' }) });
  cpu = workerdCpuMs();
  for (const id of aliases) misses.push(serverTotal(await fetch(`${keyed.url}/v1/resolve?query=${id}`, { headers })));
  const missCpu = (workerdCpuMs() - cpu) / 100;
  const body = JSON.stringify(readExchange('player/M4gD1WSo5mA.json').response.body);
  const parses: number[] = [];
  for (let i = 0; i < 300; i++) {
    const started = performance.now();
    JSON.parse(body);
    parses.push(performance.now() - started);
  }
  rows.push(['resolve, metadata-cache hit, keyed: workerd CPU per request (all of workerd: HTTP, Worker, Durable Object)', `${hitCpu.toFixed(2)} ms`]);
  rows.push(['resolve, metadata-cache hit, keys off: workerd CPU per request', `${openHitCpu.toFixed(2)} ms`]);
  rows.push(['resolve, miss against the fixture upstream: workerd CPU per request', `${missCpu.toFixed(2)} ms`]);
  rows.push(['resolve hit / miss, in-Worker wall time (Server-Timing, 1 ms resolution, median)', `${median(hits).toFixed(0)} ms / ${median(misses).toFixed(0)} ms`]);
  rows.push([`bare JSON.parse of the same ${(body.length / 1024).toFixed(0)} KiB player body (median)`, `${median(parses).toFixed(3)} ms`]);
});

it('stream: throughput through /stream next to a direct fetch of the same upstream, and workerd memory', async () => {
  const resolved = (await (await fetch(`${keyed.url}/v1/resolve?query=M4gD1WSo5mA&type=video`, { headers: { 'X-API-Key': process.env.BENCH_KEY! } })).json()) as any;
  const streamUrl = resolved.formats.video_only.url as string;
  const size = resolved.formats.video_only.size as number;
  const player = readExchange('player/M4gD1WSo5mA.json').response.body;
  const format = player.streamingData.adaptiveFormats.find((f: any) => Number(f.contentLength) === size);
  const direct = new URL(format.url);
  const directBase = `${upstream.url}${direct.pathname}${direct.search.replace(/expire=\d+/, `expire=${Math.floor(Date.now() / 1000) + 3600}`)}`;
  const googlevideo = { 'X-Forwarded-Host': 'rr1---sn-bench.googlevideo.com' };
  const ranges: string[] = [];
  for (let from = 0; from < size; from += 10 * 1024 * 1024) ranges.push(`${directBase}&range=${from}-${Math.min(size - 1, from + 10 * 1024 * 1024 - 1)}`);

  const mb = (bytes: number, seconds: number) => bytes / 1024 / 1024 / seconds;
  const rate = async (urls: string[], range?: string) => {
    const started = performance.now();
    let bytes = 0;
    for (const url of urls) bytes += await drain(await fetch(url, { headers: url === streamUrl ? (range ? { Range: range } : {}) : googlevideo }));
    return mb(bytes, (performance.now() - started) / 1000);
  };
  // Alternating runs, median of each: one slow moment on a shared machine does not decide a ratio.
  const compare = async (runs: number, withReference: boolean) => {
    const proxied: number[] = [];
    const fetched: number[] = [];
    const passed: number[] = [];
    for (let run = 0; run < runs; run++) {
      proxied.push(await rate([streamUrl]));
      fetched.push(await rate(ranges));
      if (withReference) passed.push(await rate(ranges.map((url) => `${REFERENCE}/pass?url=${encodeURIComponent(url)}`)));
    }
    return { proxied: median(proxied), fetched: median(fetched), passed: passed.length ? median(passed) : NaN };
  };

  const serviceRss = () => workerdRssKiB(keyed.process.pid!);
  const before = serviceRss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, serviceRss())), 50);
  const loopback = await compare(5, true);
  const large = (await (await fetch(`${keyed.url}/v1/resolve?query=kX3nB4PpJko&type=video`, { headers: { 'X-API-Key': process.env.BENCH_KEY! } })).json()) as any;
  const largeBytes = await drain(await fetch(large.formats.video_only.url));
  clearInterval(sampler);
  const oneRange = { proxied: [] as number[], fetched: [] as number[], passed: [] as number[] };
  for (let run = 0; run < 9; run++) {
    oneRange.proxied.push(await rate([streamUrl], `bytes=0-${10 * 1024 * 1024 - 1}`));
    oneRange.fetched.push(await rate([ranges[0]!]));
    oneRange.passed.push(await rate([`${REFERENCE}/pass?url=${encodeURIComponent(ranges[0]!)}`]));
  }
  const paced: Array<{ paceMiB: number; proxied: number; fetched: number }> = [];
  for (const paceMiB of [50, 200]) {
    await fetch(`${upstream.url}/__control/pace`, { method: 'POST', body: JSON.stringify({ bytesPerSecond: paceMiB * 1024 * 1024 }) });
    paced.push({ paceMiB, ...(await compare(3, false)) });
  }
  await fetch(`${upstream.url}/__control/pace`, { method: 'POST', body: JSON.stringify({ bytesPerSecond: 0 }) });

  const miB = (value: number) => `${value.toFixed(0)} MiB/s`;
  rows.push([`stream ${(size / 1024 / 1024).toFixed(1)} MiB over loopback: through /stream, median of 5`, miB(loopback.proxied)]);
  rows.push(['… the same bytes fetched directly from the upstream in 10 MiB ranges', miB(loopback.fetched)]);
  rows.push(['… the same ranges through a one-line pass-through Worker (workerd’s own ceiling)', miB(loopback.passed)]);
  rows.push(['ratio /stream ÷ direct, over loopback', (loopback.proxied / loopback.fetched).toFixed(2)]);
  rows.push(['ratio /stream ÷ pass-through Worker, over loopback', (loopback.proxied / loopback.passed).toFixed(2)]);
  rows.push([
    'one 10 MiB Range request over loopback, median of 9: /stream / direct / pass-through Worker',
    `${miB(median(oneRange.proxied))} / ${miB(median(oneRange.fetched))} / ${miB(median(oneRange.passed))}`,
  ]);
  for (const { paceMiB, proxied, fetched } of paced) {
    rows.push([`upstream paced to ${paceMiB} MiB/s per response: /stream / direct, median of 3`, `${miB(proxied)} / ${miB(fetched)}`]);
    rows.push([`ratio /stream ÷ direct, upstream at ${paceMiB} MiB/s`, (proxied / fetched).toFixed(2)]);
  }
  rows.push([
    `the service’s workerd RSS growth while streaming all of the above and then ${(largeBytes / 1024 / 1024).toFixed(0)} MiB in one answer`,
    `${((peak - before) / 1024).toFixed(1)} MiB (before ${(before / 1024).toFixed(0)} MiB)`,
  ]);
});

it('keys: wrk throughput of a keyed cached resolve next to the same request with keys off', async () => {
  /** Requests a second, and workerd CPU (all processes) per request. */
  const run = (url: string, header?: string) => {
    const args = ['-t2', '-c32', '-d8s', '--latency', url];
    if (header) args.unshift('-H', header);
    const cpuBefore = workerdCpuMs();
    const out = execFileSync('wrk', args, { encoding: 'utf8' });
    const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
    return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), cpuMs: (workerdCpuMs() - cpuBefore) / requests };
  };
  await fetch(`${open.url}/v1/resolve?query=M4gD1WSo5mA`);
  const keyedRuns: Array<ReturnType<typeof run>> = [];
  const openRuns: Array<ReturnType<typeof run>> = [];
  for (let round = 0; round < 2; round++) {
    keyedRuns.push(run(`${keyed.url}/v1/resolve?query=M4gD1WSo5mA`, `X-API-Key: ${process.env.BENCH_KEY}`));
    openRuns.push(run(`${open.url}/v1/resolve?query=M4gD1WSo5mA`));
  }
  const bootstrap = run(`${keyed.url}/v1/resolve?query=M4gD1WSo5mA`, `X-API-Key: ${ADMIN}`);
  const plain = run(`${REFERENCE}/plain`);
  const counted = run(`${REFERENCE}/counted`);
  const best = (runs: Array<ReturnType<typeof run>>) => runs.reduce((a, b) => (b.rps > a.rps ? b : a));
  const keyedBest = best(keyedRuns);
  const openBest = best(openRuns);
  const perRequest = (result: ReturnType<typeof run>) => `${result.rps.toFixed(0)} req/s, ${result.cpuMs.toFixed(2)} ms workerd CPU per request`;
  rows.push(['wrk -c32 8 s: keyed cached resolve (best of 2)', perRequest(keyedBest)]);
  rows.push(['wrk -c32 8 s: same request, keys off (best of 2)', perRequest(openBest)]);
  rows.push(['wrk -c32 8 s: same request with ADMIN_API_KEY (key check without a Durable Object call)', perRequest(bootstrap)]);
  rows.push(['ratio keyed ÷ keys off', (keyedBest.rps / openBest.rps).toFixed(2)]);
  rows.push(['reference Worker under the same wrangler dev: JSON answer', perRequest(plain)]);
  rows.push(['reference Worker: the same after one Durable Object call', perRequest(counted)]);
  rows.push([
    'workerd CPU of one Durable Object call: reference Worker / this service (keyed − keys off)',
    `${(counted.cpuMs - plain.cpuMs).toFixed(2)} ms / ${(keyedBest.cpuMs - openBest.cpuMs).toFixed(2)} ms`,
  ]);
});

it('bundles: gzip size of each Worker', () => {
  const out = execFileSync('node', ['scripts/bundle-check.mjs'], { encoding: 'utf8' });
  for (const line of out.trim().split('\n')) rows.push(['bundle', line]);
});

async function drain(response: Response): Promise<number> {
  let bytes = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

/** User + system CPU of every workerd process, in ms (from /proc, clock ticks of 10 ms). */
function workerdCpuMs(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerd')) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // process ended
    }
  }
  return ticks * 10;
}

/** Resident memory of the workerd processes started by one `npm start` (its process tree). */
function workerdRssKiB(rootPid: number): number {
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
  let total = 0;
  for (const pid of parents.keys()) {
    if (!within(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('workerd')) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // process ended
    }
  }
  return total;
}
