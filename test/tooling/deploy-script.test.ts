import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { commandLine, healthyApi, ROOT, runScript, startFakeApi } from './support';

const SECRETS = 'STREAM_SIGNING_KEY,ADMIN_API_KEY';
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fakeApi(handler: (req: IncomingMessage, res: ServerResponse) => void = healthyApi('smoke-key')) {
  const api = await startFakeApi(handler);
  servers.push(api);
  return api;
}

/** The built dashboard's text, to find the API URL it was built against. */
function dashboardBundle(): string {
  const dir = join(ROOT, 'dashboard/dist/assets');
  return readdirSync(dir).filter((file) => file.endsWith('.js')).map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
}

describe('npm run deploy', () => {
  it.each(['staging', 'production'])('deploys %s in order: secrets, migrations, consumer, API, dashboard, smoke test', async (env) => {
    const api = await fakeApi();
    const run = await runScript('scripts/deploy.mjs', ['--env', env], {
      FAKE_SECRETS: SECRETS, FAKE_API_URL: api.url, SMOKE_API_KEY: 'smoke-key', CANARY_VIDEO_ID: 'M4gD1WSo5mA', SMOKE_RETRY_DELAY_MS: '10',
    });
    expect(run.stderr).not.toMatch(/failed/);
    expect(run.code).toBe(0);
    expect(run.calls.map(commandLine)).toEqual([
      `secret list -c workers/consumer/wrangler.toml --env ${env} --format json`,
      `secret list -c wrangler.toml --env ${env} --format json`,
      `d1 migrations apply DB --remote -c wrangler.toml --env ${env}`,
      `deploy -c workers/consumer/wrangler.toml --env ${env}`,
      `deploy -c wrangler.toml --env ${env}`,
      `pages deploy dist --project-name yt-music-dashboard-${env} --branch main --commit-dirty=true`,
    ]);
    expect(run.calls.at(-1)!.cwd).toBe(join(ROOT, 'dashboard'));
    // The dashboard went out built against the URL wrangler reported for this env's API.
    expect(dashboardBundle()).toContain(api.url);
    // The smoke test ran last, against that URL, with the smoke key.
    expect(api.requests).toEqual([
      { path: '/health', key: undefined },
      { path: '/v1/resolve?query=M4gD1WSo5mA', key: 'smoke-key' },
      { path: '/health?deep=true', key: 'smoke-key' },
    ]);
    expect(run.stdout).toContain(`the API is at ${api.url}`);
    // No domain: the API stays on workers.dev, and the deploy says what that costs.
    expect(run.stdout).toContain('no API_DOMAIN: the API Worker answers on its workers.dev address, where the Cache API keeps nothing');
    expect(run.stdout).toContain('the Cache API check needs an admin-tier SMOKE_API_KEY');
  });

  it('puts the API on API_DOMAIN as its custom domain, and the smoke test finds the Cache API working there', async () => {
    // API_URL stands in for the domain's DNS: the fake API answers for it.
    const api = await fakeApi(healthyApi('smoke-key', { cacheApi: 'on' }));
    const run = await runScript('scripts/deploy.mjs', ['--env', 'production'], {
      FAKE_SECRETS: SECRETS, API_DOMAIN: 'api.example.com', API_URL: api.url, SMOKE_API_KEY: 'smoke-key', SMOKE_RETRY_DELAY_MS: '10',
    });
    expect(run.stderr).not.toMatch(/failed/);
    expect(run.code).toBe(0);
    expect(run.calls.map(commandLine)).toContain('deploy -c wrangler.toml --env production --domain api.example.com');
    expect(run.calls.map(commandLine)).toContain('deploy -c workers/consumer/wrangler.toml --env production');
    expect(api.requests.map((request) => request.path)).toEqual(['/health', '/v1/resolve?query=M4gD1WSo5mA', '/health?deep=true']);
    expect(run.stdout).toContain('(custom domain api.example.com)');
    expect(run.stdout).toContain('smoke: cache_api "on" on api.example.com');
    expect(run.stdout).not.toContain('no API_DOMAIN');
  });

  it('fails the deploy when the Cache API keeps nothing on the custom domain', async () => {
    const api = await fakeApi(healthyApi('smoke-key', { cacheApi: 'off' }));
    const run = await runScript('scripts/deploy.mjs', ['--env', 'staging', '--domain', 'api-staging.example.com'], {
      FAKE_SECRETS: SECRETS, API_URL: api.url, SMOKE_API_KEY: 'smoke-key', SMOKE_RETRY_DELAY_MS: '10',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('step "smoke" failed: the Cache API keeps nothing on api-staging.example.com');
  });

  it('takes "off" on workers.dev as expected, and refuses a domain that is not a hostname', async () => {
    const api = await fakeApi(healthyApi('smoke-key', { cacheApi: 'off' }));
    const run = await runScript('scripts/deploy.mjs', ['--env', 'staging'], {
      FAKE_SECRETS: SECRETS, FAKE_API_URL: api.url, SMOKE_API_KEY: 'smoke-key', SMOKE_RETRY_DELAY_MS: '10',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('smoke: cache_api is off, as on any workers.dev address');
    for (const bad of ['https://api.example.com', '*.example.com', 'api.example.com/v1']) {
      const refused = await runScript('scripts/deploy.mjs', ['--env', 'staging', '--dry-run'], { API_DOMAIN: bad });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('API_DOMAIN must be a hostname such as api.example.com');
      expect(refused.calls).toEqual([]);
    }
  });

  it('stops before changing anything when a required Worker secret is missing', async () => {
    const run = await runScript('scripts/deploy.mjs', ['--env', 'staging'], { FAKE_SECRETS: 'STREAM_SIGNING_KEY' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('api Worker lacks secret(s) ADMIN_API_KEY');
    expect(run.stderr).toContain('secret put NAME -c wrangler.toml --env staging');
    expect(run.calls.map((call) => call.args.slice(0, 2).join(' '))).toEqual(['secret list', 'secret list']);
  });

  it("deploys a consumer that does not exist yet (it requires no secret), but not an API whose secrets cannot be listed", async () => {
    const api = await fakeApi();
    const first = await runScript('scripts/deploy.mjs', ['--env', 'staging'], {
      FAKE_SECRETS: SECRETS, FAKE_API_URL: api.url, FAKE_WRANGLER_FAIL: 'secret list -c workers/consumer/wrangler.toml', SMOKE_RETRY_DELAY_MS: '10',
    });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('consumer: not deployed yet');
    expect(first.calls.map(commandLine)).toContain('deploy -c workers/consumer/wrangler.toml --env staging');
    // Without a smoke key (a first deploy has none yet) the smoke test checks /health and says what it skipped.
    expect(api.requests.map((request) => request.path)).toEqual(['/health']);
    expect(first.stdout).toContain('SMOKE_API_KEY is not set, so the keyed /v1/resolve check is skipped');
    const noApi = await runScript('scripts/deploy.mjs', ['--env', 'staging', '--step', 'secrets'], { FAKE_SECRETS: SECRETS, FAKE_WRANGLER_FAIL: 'secret list -c wrangler.toml' });
    expect(noApi.code).toBe(1);
    expect(noApi.stderr).toContain("could not list the api Worker's secrets");
  });

  it('fails when the deployed API does not resolve the canary', async () => {
    const api = await fakeApi((req, res) => {
      if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","version":"0.1.0"}');
        return;
      }
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"youtube.bot_check","message":"…"}}');
    });
    const run = await runScript('scripts/deploy.mjs', ['--env', 'staging'], {
      FAKE_SECRETS: SECRETS, FAKE_API_URL: api.url, SMOKE_API_KEY: 'smoke-key', SMOKE_RETRY_DELAY_MS: '10',
    });
    expect(run.code).toBe(1);
    // Without CANARY_VIDEO_ID the API's own canary default is resolved.
    expect(run.stderr).toContain('step "smoke" failed: GET /v1/resolve?query=M4gD1WSo5mA answered 503 youtube.bot_check');
  });

  it('--dry-run bundles both Workers of the env, builds the dashboard and uploads nothing', async () => {
    const run = await runScript('scripts/deploy.mjs', ['--env', 'production', '--dry-run'], { FAKE_SECRETS: SECRETS });
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.args.slice(0, 5).join(' '))).toEqual([
      'deploy -c workers/consumer/wrangler.toml --env production',
      'deploy -c wrangler.toml --env production',
    ]);
    expect(run.calls.every((call) => call.args.includes('--dry-run'))).toBe(true);
    const steps = [...run.stdout.matchAll(/^==> (\w+) \(env production, dry run\)$/gm)].map((match) => match[1]);
    expect(steps).toEqual(['secrets', 'migrations', 'consumer', 'api', 'dashboard', 'smoke']);
    expect(run.stdout).toContain('[dry run] would run: wrangler d1 migrations apply DB --remote -c wrangler.toml --env production');
    expect(run.stdout).toContain('[dry run] would run: wrangler pages deploy dist --project-name yt-music-dashboard-production');
    expect(run.stdout).toContain('dry run done, nothing was uploaded');
    const onDomain = await runScript('scripts/deploy.mjs', ['--env', 'production', '--dry-run', '--domain=api.example.com'], { FAKE_SECRETS: SECRETS });
    expect(onDomain.code).toBe(0);
    expect(onDomain.calls.map((call) => call.args.slice(0, 7).join(' '))).toContain('deploy -c wrangler.toml --env production --domain api.example.com');
  });

  it('refuses to run without a known --env', async () => {
    for (const args of [[], ['--env', 'prod']]) {
      const run = await runScript('scripts/deploy.mjs', args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('--env must be one of staging, production');
      expect(run.calls).toEqual([]);
    }
  });
});
