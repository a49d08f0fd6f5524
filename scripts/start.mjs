// `npm start`: runs the whole service locally on embedded defaults (D1, local
// queues, the rate-limit emulation). Settings come from .dev.vars and, winning
// over it, the process environment.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SETTINGS } from './settings.mjs';
// Node 22 strips the types itself: the one masking rule both Workers log with.
import { redactUrlPath } from '../workers/core/src/logging/redact-url.ts';

const port = process.env.PORT ?? '8787';
const dashboardPort = process.env.DASHBOARD_PORT ?? '8788';
// A port already taken would fail one process after the others started (vite after wrangler): say so
// before starting anything.
for (const [taken, what, setting] of [[port, 'the API', 'PORT'], ...(dashboardPort !== '0' ? [[dashboardPort, 'the dashboard', 'DASHBOARD_PORT']] : [])]) {
  if (await inUse(Number(taken))) {
    console.error(`npm start: port ${taken} (${what}) is already in use on 127.0.0.1. Stop what holds it, or set ${setting} to another port${setting === 'DASHBOARD_PORT' ? ' (0 leaves the dashboard out)' : ''}.`);
    process.exit(1);
  }
}
const fileVars = existsSync('.dev.vars') ? parseEnvFile(readFileSync('.dev.vars', 'utf8')) : {};
const vars = { LOG_FORMAT: 'pretty', ...fileVars };
for (const { name, startOnly } of SETTINGS) {
  if (!startOnly && process.env[name] !== undefined) vars[name] = process.env[name];
}
if (!vars.STREAM_SIGNING_KEY) {
  vars.STREAM_SIGNING_KEY = 'local-development-signing-key-not-for-production';
  console.warn('STREAM_SIGNING_KEY is not set: using a development key. Set it in .dev.vars or the environment for anything real.');
}
vars.DASHBOARD_ORIGIN ??= `http://127.0.0.1:${dashboardPort},http://localhost:${dashboardPort}`;
if (!vars.ADMIN_API_KEY) console.warn('ADMIN_API_KEY is not set: the admin API and dashboard are locked until you set it.');

// Secrets go to wrangler through private env files, not the command line. The
// consumer's settings (the bot token above all) never reach the API Worker.
const consumerOnly = new Set(SETTINGS.filter((setting) => setting.worker === 'consumer').map((setting) => setting.name));
const apiVars = Object.fromEntries(Object.entries(vars).filter(([name]) => !consumerOnly.has(name)));
// dotenv takes single-quoted values literally, which keeps JSON settings intact.
const quote = (value) => (value.includes("'") || value.includes('\n') ? JSON.stringify(value) : `'${value}'`);
const envText = (entries) => Object.entries(entries).map(([name, value]) => `${name}=${quote(String(value))}`).join('\n');
const stateDir = mkdtempSync(join(tmpdir(), 'yt-api-'));
const envFile = join(stateDir, '.env');
writeFileSync(envFile, envText(apiVars), { mode: 0o600 });

// The rate-limit bindings' limits live in the config, so RATE_LIMIT_PER_MINUTE and
// KEY_RATE_LIMIT_PER_MINUTE are written into a local copy (0 = off: a limit nobody reaches).
const config = `.wrangler-start-${port}.toml`;
const limitOf = (value, fallback) => Number(value ?? fallback) || 1_000_000_000;
const withLimit = (toml, binding, limit) =>
  toml.replace(new RegExp(`(name = "${binding}"[^\\[]*?simple = \\{ limit = )\\d+`), `$1${limit}`);
let toml = readFileSync('wrangler.toml', 'utf8');
toml = withLimit(toml, 'IP_RATE_LIMITER', limitOf(vars.RATE_LIMIT_PER_MINUTE, 100));
toml = withLimit(toml, 'KEY_RATE_LIMITER', limitOf(vars.KEY_RATE_LIMIT_PER_MINUTE, 600));
toml = withLimit(toml, 'LINK_RATE_LIMITER', limitOf(vars.LINK_RATE_LIMIT_PER_MINUTE, 300));
toml = withLimit(toml, 'LINK_IP_RATE_LIMITER', limitOf(vars.LINK_IP_RATE_LIMIT_PER_MINUTE, 2400));
writeFileSync(config, toml);

// WRANGLER_LOG (default warn): wrangler's line per request costs the local runtime a loopback call to Node per request.
const wranglerLog = process.env.WRANGLER_LOG ?? 'warn';
const wrangler = (args, options = {}) => spawn('npx', ['wrangler', ...args], { stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG: wranglerLog }, ...options });
// PERSIST_TO keeps separate local state, e.g. for two instances side by side in `npm run bench`.
const persist = process.env.PERSIST_TO ? ['--persist-to', process.env.PERSIST_TO] : [];
const inspector = process.env.INSPECTOR_PORT ? ['--inspector-port', process.env.INSPECTOR_PORT] : [];
const migrated = spawnSync('npx', ['wrangler', 'd1', 'migrations', 'apply', 'DB', '--local', '-c', config, ...persist], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: '1' } });
if (migrated.status !== 0) process.exit(migrated.status ?? 1);

// A second config in one `wrangler dev` reads the .dev.vars next to it, so the
// consumer runs from a private copy of its config with its own settings.
const configs = ['-c', config];
if (existsSync('workers/consumer/wrangler.toml')) {
  const consumerDir = join(stateDir, 'consumer');
  mkdirSync(consumerDir);
  const root = resolve('workers/consumer');
  const consumerConfig = readFileSync('workers/consumer/wrangler.toml', 'utf8')
    .replace(/^main = "(.+)"$/m, (_line, path) => `main = ${JSON.stringify(resolve(root, path))}`)
    .replace(/^migrations_dir = "(.+)"$/gm, (_line, path) => `migrations_dir = ${JSON.stringify(resolve(root, path))}`)
    // Its [alias] shims (the MongoDB driver's Node built-ins), as "name" = "../core/…".
    .replace(/^("[\w/]+") = "(\.\.?\/.+)"$/gm, (_line, name, path) => `${name} = ${JSON.stringify(resolve(root, path))}`);
  writeFileSync(join(consumerDir, 'wrangler.toml'), consumerConfig);
  // The API's own secrets stay with the API.
  const { ADMIN_API_KEY: _admin, STREAM_SIGNING_KEY: _signing, ...consumerVars } = vars;
  writeFileSync(join(consumerDir, '.dev.vars'), envText(consumerVars), { mode: 0o600 });
  configs.push('-c', join(consumerDir, 'wrangler.toml'));
}
// wrangler prints a line per request with its path and query (`DELETE /admin/delete-key/<key>`,
// `?api_key=`): its output passes through the same masking as the Workers' own logs.
// Each child leads a process group of its own (detached), so stopping `npm start` stops what npx
// started under it too: a SIGTERM to npx alone left wrangler and workerd serving the port.
const dev = wrangler(['dev', ...configs, ...persist, ...inspector, '--ip', '127.0.0.1', '--port', port, '--env-file', envFile, '--test-scheduled', '--show-interactive-dev-session=false'], {
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
  // Piped, wrangler would drop its colours; a terminal keeps them.
  env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG: wranglerLog, ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : {}) },
});
// Below info, wrangler does not say when it is ready: this does (a connection only, so no request is logged or counted).
if (!['info', 'log', 'debug'].includes(wranglerLog)) announceWhenListening(Number(port));
maskLines(dev.stdout, process.stdout);
maskLines(dev.stderr, process.stderr);
const children = [dev];
// The admin dashboard, pointed at this API (DASHBOARD_PORT=0 leaves it out).
if (dashboardPort !== '0') {
  children.push(
    spawn('npx', ['vite', '--config', 'dashboard/vite.config.ts', '--host', '127.0.0.1', '--port', dashboardPort, '--strictPort'], {
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
      env: { ...process.env, VITE_API_BASE: `http://127.0.0.1:${port}` },
    }),
  );
}

let stopping = false;
/**
 * Stops every child's whole group (once): SIGTERM, then, once the children have left or after 3 s,
 * SIGKILL for what is left of their groups (workerd outlives the SIGTERM its wrangler gets).
 */
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  const signalGroups = (signal) => {
    for (const child of children) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // that group is gone already
      }
    }
  };
  const finish = () => {
    signalGroups('SIGKILL');
    process.exit(code);
  };
  signalGroups('SIGTERM');
  const deadline = setTimeout(finish, 3000);
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  Promise.all(running.map((child) => once(child, 'exit'))).then(() => {
    clearTimeout(deadline);
    finish();
  });
}
for (const child of children) child.on('exit', (code) => stopAll(code ?? 0));
// `npm start` stopped by a signal to npm alone (a process manager, `kill <pid>`): npm exits without
// passing it on, and this process is left to init. It notices and stops what it started.
const parentAtStart = process.ppid;
setInterval(() => process.ppid !== parentAtStart && stopAll(0), 1000).unref();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => stopAll(0));
}

function announceWhenListening(apiPort, attempt = 0) {
  const socket = connect(apiPort, '127.0.0.1');
  socket.once('connect', () => {
    socket.destroy();
    console.log(`Ready: the API on http://127.0.0.1:${apiPort}${dashboardPort !== '0' ? `, the dashboard on http://127.0.0.1:${dashboardPort}` : ''} (WRANGLER_LOG=info prints a line per request).`);
  });
  socket.once('error', () => {
    socket.destroy();
    if (attempt < 600) setTimeout(() => announceWhenListening(apiPort, attempt + 1), 500);
  });
}

/** Whether something already listens on 127.0.0.1:`port` (an address in use, or one this user may not take). */
function inUse(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });
}

function parseEnvFile(text) {
  const result = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2];
    if (/^".*"$/.test(value)) value = JSON.parse(value);
    else if (/^'.*'$/.test(value)) value = value.slice(1, -1);
    result[match[1]] = value;
  }
  return result;
}

/** Copies a stream line by line with every URL path in it masked. */
function maskLines(from, to) {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) => to.write(`${maskRequestLine(line)}\n`));
}

export function maskRequestLine(line) {
  return line.replace(/(https?:\/\/[^\s/]+)?(\/[^\s"'\x1b]*)/g, (_match, origin = '', path) => `${origin}${redactUrlPath(path)}`);
}
