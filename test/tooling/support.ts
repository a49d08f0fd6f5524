import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const FAKE_BIN = join(ROOT, 'test/tooling/fake-wrangler');
const PROJECT_BIN = join(ROOT, 'node_modules/.bin');

export interface WranglerCall {
  args: string[];
  cwd: string;
  secretLength?: number;
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the fake wrangler was asked, in order. */
  calls: WranglerCall[];
}

/** Runs a repository script with the fake wrangler first on PATH (the project's Node 22 next). */
export function runScript(script: string, args: string[], env: Record<string, string> = {}, cwd = ROOT): Promise<ScriptRun> {
  const dir = mkdtempSync(join(tmpdir(), 'fake-wrangler-'));
  const log = join(dir, 'calls.ndjson');
  const child = spawn(join(PROJECT_BIN, 'node'), [join(ROOT, script), ...args], {
    cwd,
    env: {
      ...process.env,
      PATH: [FAKE_BIN, PROJECT_BIN, process.env.PATH ?? ''].join(delimiter),
      FAKE_WRANGLER_LOG: log,
      FAKE_WRANGLER_STATE: join(dir, 'state.json'),
      CI: 'true',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((done) => {
    child.on('close', (code) => {
      const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as WranglerCall) : [];
      done({ code, stdout, stderr, calls });
    });
  });
}

/** A wrangler call as one line, the way a person would type it. */
export const commandLine = (call: WranglerCall) => call.args.join(' ');

/** A stand-in for a deployed API Worker, for the smoke test: records what it is asked. */
export async function startFakeApi(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const requests: { path: string; key: string | undefined }[] = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', key: req.headers['x-api-key'] as string | undefined });
    handler(req, res);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, requests, close: () => new Promise<void>((closed) => server.close(() => closed())) };
}

/**
 * Answers as a healthy deployed API whose canary resolves for the smoke key. With `cacheApi`,
 * /health?deep=true answers the smoke key (an admin key then) with that `cache_api`; else 403.
 */
export function healthyApi(smokeKey: string, options: { cacheApi?: string } = {}) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const url = new URL(req.url ?? '/', 'http://api');
    if (url.pathname === '/health' && url.searchParams.get('deep') === 'true') {
      if (req.headers['x-api-key'] !== smokeKey) json(401, { error: { code: 'key.invalid', message: 'unknown key' } });
      else if (options.cacheApi === undefined) json(403, { error: { code: 'key.forbidden', message: 'admin keys only' } });
      else json(200, { status: 'ok', version: '0.1.0', cache_api: options.cacheApi });
    } else if (url.pathname === '/health') json(200, { status: 'ok', version: '0.1.0' });
    else if (url.pathname !== '/v1/resolve') json(404, { error: { code: 'not_found', message: 'no route' } });
    else if (req.headers['x-api-key'] !== smokeKey) json(401, { error: { code: 'key.invalid', message: 'unknown key' } });
    else json(200, { id: url.searchParams.get('query'), title: 'Canary', stream: { url: 'https://api/stream/t' } });
  };
}
