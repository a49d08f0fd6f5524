/**
 * A CPU profile of the API Worker under `wrangler dev`, through workerd's
 * inspector (the Chrome DevTools protocol over the WebSocket that
 * `wrangler dev --inspector-port` opens; Node's own WebSocket client, no
 * extra package). Prints the functions with the most self time and the
 * inclusive time of a few frames worth watching.
 *
 * Used by `npm run bench` (bench/service.bench-run.ts) and on its own:
 *   npx tsx bench/cpu-profile.ts <inspector port> <url template with {i}> [requests]
 * (PROFILE_TARGET=core:user:yt-music-api with workerd's own inspector port picks one isolate.)
 */
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { descendants } from './load';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  /** Sampled time in ms, all frames (idle and GC included). */
  totalMs: number;
  /** Sampled time outside `(idle)` and `(program)`. */
  busyMs: number;
  self: Array<{ frame: string; ms: number }>;
  inclusive: Array<{ frame: string; ms: number }>;
}

class Inspector {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: any): void; reject(error: Error): void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data));
      const waiter = message.id !== undefined ? this.pending.get(message.id) : undefined;
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result);
    });
  }

  /** `target`: the id of one of workerd's isolates (`core:user:<worker name>`, `cache:cache`); without it, the first target listed. */
  static async connect(port: number, target?: string): Promise<Inspector> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as Array<{ id: string; webSocketDebuggerUrl: string }>;
    const chosen = target === undefined ? targets[0] : targets.find((candidate) => candidate.id === target);
    if (!chosen) throw new Error(`no inspector target ${target} on port ${port}`);
    // wrangler's inspector proxy accepts local origins only; Node's client (undici) sends none unless told.
    const socket = new WebSocket(chosen.webSocketDebuggerUrl.replace('localhost', '127.0.0.1'), { headers: { Origin: 'http://127.0.0.1' } } as unknown as string[]);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', reject, { once: true });
    });
    return new Inspector(socket);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  close(): void {
    this.socket.close();
  }
}

/** Profiles the Worker while `load` runs; samples every `intervalUs`. `target`: one isolate of workerd's own inspector. */
export async function profileWhile(inspectorPort: number, load: () => Promise<void>, intervalUs = 200, target?: string, answerMs = 30_000): Promise<CpuProfile> {
  const inspector = await Inspector.connect(inspectorPort, target);
  // The inspector sometimes stops answering under load: a profile is best effort, never a hang.
  const answer = <T>(sent: Promise<T>) =>
    Promise.race([sent, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the inspector did not answer')), answerMs).unref())]);
  try {
    await answer(inspector.send('Profiler.enable'));
    await answer(inspector.send('Profiler.setSamplingInterval', { interval: intervalUs }));
    await answer(inspector.send('Profiler.start'));
    await load();
    const { profile } = await answer(inspector.send<{ profile: CpuProfile }>('Profiler.stop'));
    await answer(inspector.send('Profiler.disable')).catch(() => undefined);
    return profile;
  } finally {
    inspector.close();
  }
}

/**
 * Profiles several isolates of one workerd at once (the Worker, and the services wrangler dev
 * emulates beside it: the Cache API, D1, Queues), so a request's CPU can be split between them.
 */
export async function profileTargets(
  inspectorPort: number,
  targets: string[],
  load: () => Promise<void>,
  intervalUs = 1000,
  /** A target workerd's inspector will not give (one session per isolate: wrangler's proxy may hold it) is reached through this port instead. */
  route: (target: string) => { port: number; target?: string } = (target) => ({ port: inspectorPort, target }),
): Promise<Map<string, CpuProfile>> {
  const profiles = new Map<string, CpuProfile>();
  let release!: () => void;
  const loaded = new Promise<void>((resolve) => (release = resolve));
  let started = 0;
  let ready!: () => void;
  const allStarted = new Promise<void>((resolve) => (ready = resolve));
  const runs = targets.map((target) =>
    profileWhile(route(target).port, () => (++started === targets.length && ready(), loaded), intervalUs, route(target).target).then((profile) => profiles.set(target, profile)),
  );
  await Promise.race([allStarted, Promise.all(runs)]);
  try {
    await load();
  } finally {
    release();
  }
  await Promise.all(runs);
  return profiles;
}

/**
 * The port of workerd's own inspector in one `wrangler dev` process tree (the workerd
 * started with --inspector-addr): it lists every isolate, unlike wrangler's proxy, which
 * shows one of them. Found from /proc: the process's listening sockets, each asked for /json.
 */
export async function workerdInspectorPort(rootPid: number): Promise<number> {
  const listening = new Map<string, number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A') listening.set(fields[9]!, parseInt(fields[1]!.split(':')[1]!, 16));
    }
  }
  for (const pid of descendants(rootPid)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--inspector-addr')) continue;
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        const port = inode ? listening.get(inode) : undefined;
        if (!port) continue;
        const listed = await fetch(`http://127.0.0.1:${port}/json`, { signal: AbortSignal.timeout(2000) }).then((response) => response.json()).catch(() => null);
        if (Array.isArray(listed) && listed.some((target: { id?: string }) => target.id?.startsWith('core:user:'))) return port;
      }
    } catch {
      // the process ended, or a socket is not ours to read
    }
  }
  throw new Error(`no workerd inspector under process ${rootPid}`);
}

const IDLE = new Set(['(idle)', '(program)']);

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules\/)?/, (_all, modules) => (modules ? 'node_modules/' : '')).replace(/\?.*$/, '');
  const name = functionName || '(anonymous)';
  return file ? `${name} ${file}:${lineNumber + 1}` : name;
}

/** Self time per frame (summed over the frame's nodes) and inclusive time of frames whose name matches `watch`. */
export function summarise(profile: CpuProfile, top = 15, watch: RegExp = /./): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index + 1] ?? 0));
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let totalUs = 0;
  let busyUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    totalUs += us;
    if (IDLE.has(node.callFrame.functionName)) continue;
    busyUs += us;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + us);
    // Each ancestor frame once per sample path, so recursion is not counted twice.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const frame = frameName(byId.get(current)!);
      if (seen.has(frame) || !watch.test(frame)) continue;
      seen.add(frame);
      inclusive.set(frame, (inclusive.get(frame) ?? 0) + us);
    }
  }
  const sorted = (map: Map<string, number>) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([frame, us]) => ({ frame, ms: us / 1000 }));
  return { totalMs: totalUs / 1000, busyMs: busyUs / 1000, self: sorted(self), inclusive: sorted(inclusive) };
}

export interface LongTasks {
  /** Stretches of the isolate's thread busy for at least `minMs` without a break. */
  count: number;
  totalMs: number;
  longestMs: number;
  /** Their time by what ran in them (the first matching frame of each sample's stack). */
  byCause: Array<{ cause: string; ms: number }>;
  /** Garbage collection over the whole profile, and the whole profile's busy time. */
  gcMs: number;
  busyMs: number;
}

/**
 * What holds the isolate's one thread long enough to stall the requests queued
 * behind it: busy stretches of at least `minMs`, and what ran in them.
 */
export function longTasks(profile: CpuProfile, causes: Array<[string, RegExp]>, minMs = 5): LongTasks {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const causeOf = (id: number): string => {
    for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
      const name = frameName(byId.get(current)!);
      for (const [cause, pattern] of causes) if (pattern.test(name)) return cause;
    }
    return 'other';
  };
  const result: LongTasks = { count: 0, totalMs: 0, longestMs: 0, byCause: [], gcMs: 0, busyMs: 0 };
  const byCause = new Map<string, number>();
  let stretch: Array<{ id: number; us: number }> = [];
  const close = () => {
    const us = stretch.reduce((sum, sample) => sum + sample.us, 0);
    if (us >= minMs * 1000) {
      result.count++;
      result.totalMs += us / 1000;
      result.longestMs = Math.max(result.longestMs, us / 1000);
      for (const sample of stretch) {
        const cause = causeOf(sample.id);
        byCause.set(cause, (byCause.get(cause) ?? 0) + sample.us / 1000);
      }
    }
    stretch = [];
  };
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index]!;
    const us = profile.timeDeltas[index + 1] ?? 0;
    const name = byId.get(id)!.callFrame.functionName;
    if (IDLE.has(name)) {
      close();
      continue;
    }
    result.busyMs += us / 1000;
    if (name === '(garbage collector)') result.gcMs += us / 1000;
    stretch.push({ id, us });
  }
  close();
  result.byCause = [...byCause.entries()].sort((a, b) => b[1] - a[1]).map(([cause, ms]) => ({ cause, ms }));
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [port, template, count = '200'] = process.argv.slice(2);
  if (!port || !template) throw new Error('usage: cpu-profile.ts <inspector port> <url template with {i}> [requests]');
  const requests = Number(count);
  const tag = Date.now().toString(36).slice(-5);
  const profile = await profileWhile(Number(port), async () => {
    for (let index = 0; index < requests; index++) {
      const response = await fetch(template.replace('{i}', `${tag}${String(index).padStart(6, '0')}`));
      await response.arrayBuffer();
    }
  }, 200, process.env.PROFILE_TARGET);
  if (process.env.PROFILE_OUT) writeFileSync(process.env.PROFILE_OUT, JSON.stringify(profile));
  const summary = summarise(profile, 30, /./);
  const per = (ms: number) => (ms / requests).toFixed(3);
  console.log(`sampled ${summary.totalMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms = ${per(summary.busyMs)} ms a request`);
  console.log('\nself time, ms per request:');
  for (const { frame, ms } of summary.self) console.log(`${per(ms).padStart(8)}  ${frame}`);
  console.log('\ninclusive time, ms per request:');
  for (const { frame, ms } of summary.inclusive) console.log(`${per(ms).padStart(8)}  ${frame}`);
}
