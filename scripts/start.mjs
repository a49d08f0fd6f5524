// `npm start`: runs the whole service locally on embedded defaults.
// Settings come from .dev.vars and, winning over it, the process environment.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SETTINGS } from './settings.mjs';

const port = process.env.PORT ?? '8787';
const fileVars = existsSync('.dev.vars') ? parseEnvFile(readFileSync('.dev.vars', 'utf8')) : {};
const vars = { LOG_FORMAT: 'pretty', ...fileVars };
for (const { name, startOnly } of SETTINGS) {
  if (!startOnly && process.env[name] !== undefined) vars[name] = process.env[name];
}
if (!vars.STREAM_SIGNING_KEY) {
  vars.STREAM_SIGNING_KEY = 'local-development-signing-key-not-for-production';
  console.warn('STREAM_SIGNING_KEY is not set: using a development key. Set it in .dev.vars or the environment for anything real.');
}

const envFile = join(mkdtempSync(join(tmpdir(), 'yt-api-')), '.env');
writeFileSync(envFile, Object.entries(vars).map(([name, value]) => `${name}=${JSON.stringify(String(value))}`).join('\n'), { mode: 0o600 });

const children = [];
function run(args) {
  const child = spawn('npx', ['wrangler', ...args], { stdio: 'inherit', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } });
  children.push(child);
  child.on('exit', (code) => {
    for (const other of children) if (other !== child) other.kill('SIGTERM');
    process.exit(code ?? 0);
  });
}

run(['dev', '--config', 'wrangler.toml', '--ip', '127.0.0.1', '--port', port, '--env-file', envFile, '--show-interactive-dev-session=false']);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill('SIGTERM');
  });
}

function parseEnvFile(text) {
  const result = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2];
    if (/^".*"$/.test(value)) value = JSON.parse(value);
    else if (/^'.*'$/.test(value)) value = value.slice(1, -1);
    result[match[1]] = value;
  }
  return result;
}
