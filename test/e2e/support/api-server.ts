import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Starts the real API Worker under `wrangler dev` on a free port, with fresh
 * local state (D1, Durable Objects, queues) so every run starts as a new install.
 */
export interface RunningApi {
  url: string;
  output(): string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export async function startRealApi(settings: Record<string, string>, options: { seedSql?: string } = {}): Promise<RunningApi> {
  const state = mkdtempSync(join(tmpdir(), 'yt-api-e2e-'));
  const persist = join(state, 'persist');
  const envFile = join(state, '.env');
  writeFileSync(envFile, Object.entries(settings).map(([name, value]) => `${name}=${envValue(value)}`).join('\n'), { mode: 0o600 });
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1', NO_COLOR: '1' };
  // The project's wrangler, run by the Node that runs the tests (the repo pins Node 22).
  const wrangler = (...args: string[]) => [resolve('node_modules/wrangler/bin/wrangler.js'), ...args];

  // A new install needs its tables: apply the D1 migrations to the fresh local state.
  for (const database of d1Databases('wrangler.toml')) {
    const migrate = spawnSync(process.execPath, wrangler('d1', 'migrations', 'apply', database, '--local', '--persist-to', persist, '--config', 'wrangler.toml'), { env, encoding: 'utf8' });
    if (migrate.status !== 0) throw new Error(`D1 migrations failed for ${database}:\n${migrate.stdout}\n${migrate.stderr}`);
    if (options.seedSql) {
      const seed = spawnSync(process.execPath, wrangler('d1', 'execute', database, '--local', '--persist-to', persist, '--config', 'wrangler.toml', '--command', options.seedSql), { env, encoding: 'utf8' });
      if (seed.status !== 0) throw new Error(`seeding ${database} failed:\n${seed.stdout}\n${seed.stderr}`);
    }
  }

  const port = await freePort();
  const inspector = await freePort();
  const child: ChildProcess = spawn(process.execPath, wrangler(
    'dev', '--config', 'wrangler.toml', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector),
    '--env-file', envFile, '--persist-to', persist, '--show-interactive-dev-session=false', '--log-level', 'warn',
  ), { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk) => { output += chunk; });
  child.stderr!.on('data', (chunk) => { output += chunk; });

  const url = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null && child.pid) {
      // wrangler starts workerd as a grandchild: end the whole process group we started.
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      await new Promise((done) => { child.once('exit', done); setTimeout(done, 5_000); });
    }
    rmSync(state, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${url}/health`, 90_000, () => child.exitCode !== null);
  } catch (error) {
    await close();
    throw new Error(`wrangler dev did not start: ${(error as Error).message}\n${output}`);
  }
  return { url, output: () => output, close };
}

async function waitForHttp(url: string, timeoutMs: number, gaveUp: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gaveUp()) throw new Error('the process exited');
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return; // any HTTP answer means the Worker is serving
    } catch {
      await new Promise((done) => setTimeout(done, 300));
    }
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
}

/**
 * dotenv keeps single-quoted values literally, whereas in double quotes it does not
 * undo JSON's \" escapes (a JSON setting such as UPSTREAM_ORIGINS would arrive broken).
 */
function envValue(value: string): string {
  if (!value.includes("'") && !value.includes('\n')) return `'${value}'`;
  if (!value.includes('"')) return JSON.stringify(value);
  throw new Error('a setting with both quote kinds cannot be written to a .env file');
}

/** The `binding` of every [[d1_databases]] block (a tiny TOML read, enough for our wrangler.toml). */
function d1Databases(configPath: string): string[] {
  const text = readFileSync(configPath, 'utf8');
  const names: string[] = [];
  for (const block of text.split(/^\[\[d1_databases\]\]\s*$/m).slice(1)) {
    const section = block.split(/^\[/m)[0] ?? '';
    const binding = /^\s*binding\s*=\s*"([^"]+)"/m.exec(section)?.[1];
    if (binding) names.push(binding);
  }
  return names;
}
