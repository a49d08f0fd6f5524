import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { commandLine, ROOT, runScript } from './support';

/** A copy of both wrangler.toml files, so --write edits the copy. */
function configCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'setup-'));
  mkdirSync(join(dir, 'workers/consumer'), { recursive: true });
  copyFileSync(join(ROOT, 'wrangler.toml'), join(dir, 'wrangler.toml'));
  copyFileSync(join(ROOT, 'workers/consumer/wrangler.toml'), join(dir, 'workers/consumer/wrangler.toml'));
  return dir;
}

describe('npm run setup:cloudflare', () => {
  it("creates the env's D1 database, queues, Pages project and API secrets, and writes the database id into both configs", async () => {
    const dir = configCopy();
    const run = await runScript('scripts/setup-cloudflare.mjs', ['--env', 'staging', '--write'], { STREAM_SIGNING_KEY: '', ADMIN_API_KEY: '' }, dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const calls = run.calls.map(commandLine);
    expect(calls).toEqual([
      'd1 list --json',
      'd1 create yt-music-api-staging',
      'd1 list --json',
      'queues create yt-api-cache-jobs-staging',
      'queues create yt-api-cache-jobs-staging-dlq',
      'queues create yt-api-request-logs-staging',
      'queues create yt-api-request-logs-staging-dlq',
      'pages project create yt-music-dashboard-staging --production-branch main',
      'secret list -c wrangler.toml --env staging --format json',
      'secret put STREAM_SIGNING_KEY -c wrangler.toml --env staging',
      'secret put ADMIN_API_KEY -c wrangler.toml --env staging',
    ]);
    // Secrets go through stdin, never the command line: 32 random bytes in hex.
    expect(run.calls.filter((call) => call.args[1] === 'put').map((call) => call.secretLength)).toEqual([64, 64]);
    const adminKey = /ADMIN_API_KEY generated, keep it \(shown once\): ([0-9a-f]{64})/.exec(run.stdout)?.[1];
    expect(adminKey).toBeDefined();
    const id = '11111111-2222-4333-8444-000000000000';
    for (const config of ['wrangler.toml', 'workers/consumer/wrangler.toml']) {
      const text = readFileSync(join(dir, config), 'utf8');
      expect(text).toContain(`database_name = "yt-music-api-staging"\ndatabase_id = "${id}"`);
      // Only the staging database changed.
      expect(text).toContain('database_name = "yt-music-api-production"\ndatabase_id = "00000000-0000-0000-0000-000000000000"');
    }
    expect(run.stdout).toContain('DASHBOARD_ORIGIN = "https://yt-music-dashboard-staging.pages.dev"');
  });

  it('keeps what exists on a second run and never replaces a set secret', async () => {
    const dir = configCopy();
    // Both runs see one account: what the first creates, the second finds.
    const account = { FAKE_WRANGLER_STATE: join(dir, 'account.json') };
    const first = await runScript('scripts/setup-cloudflare.mjs', ['--env', 'production'], account, dir);
    expect(first.code).toBe(0);
    const again = await runScript('scripts/setup-cloudflare.mjs', ['--env', 'production'], { ...account, FAKE_SECRETS: 'STREAM_SIGNING_KEY,ADMIN_API_KEY' }, dir);
    expect(again.code).toBe(0);
    expect(again.calls.map(commandLine)).not.toContain('d1 create yt-music-api-production');
    expect(again.stdout).toContain('yt-api-cache-jobs-production exists, yt-api-cache-jobs-production-dlq exists');
    expect(again.calls.some((call) => call.args[1] === 'put')).toBe(false);
    expect(again.stdout).toContain('STREAM_SIGNING_KEY already set; ADMIN_API_KEY already set');
    // Without --write the configs stay as they were, and the ids are printed instead.
    expect(readFileSync(join(dir, 'wrangler.toml'), 'utf8')).toBe(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8'));
    expect(again.stdout).toMatch(/wrangler\.toml \[env\.production\] database_id = "[0-9a-f-]{36}"/);
  });

  it('writes API_DOMAIN as the API Worker’s custom-domain route of that env only', async () => {
    const dir = configCopy();
    const run = await runScript('scripts/setup-cloudflare.mjs', ['--env', 'staging', '--write'], { API_DOMAIN: 'api-staging.example.com' }, dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('wrangler.toml [env.staging] routes = [{ pattern = "api-staging.example.com", custom_domain = true }]');
    expect(run.stdout).toContain('the API will answer on https://api-staging.example.com');
    expect(run.stdout).not.toContain('no API_DOMAIN');
    const read = (env: string) => unstable_readConfig({ config: join(dir, 'wrangler.toml'), env }) as unknown as { routes?: unknown[]; workers_dev?: boolean };
    expect(read('staging').routes).toEqual([{ pattern: 'api-staging.example.com', custom_domain: true }]);
    // With its own domain the env leaves the workers.dev address, where a client could skip the operator's proxy.
    expect(read('staging').workers_dev).toBe(false);
    expect(read('production').routes ?? []).toEqual([]);
    expect(read('production').workers_dev).not.toBe(false);
    expect(readFileSync(join(dir, 'workers/consumer/wrangler.toml'), 'utf8')).not.toContain('routes');

    // Run again with another domain: the route is replaced, not added; the next deploy needs no --domain.
    const again = await runScript('scripts/setup-cloudflare.mjs', ['--env', 'staging', '--write', '--domain', 'music.example.org'], {}, dir);
    expect(again.code).toBe(0);
    expect(read('staging').routes).toEqual([{ pattern: 'music.example.org', custom_domain: true }]);
    expect(readFileSync(join(dir, 'wrangler.toml'), 'utf8').match(/^workers_dev = false$/gm)).toHaveLength(1);
    const deploy = await runScript('scripts/deploy.mjs', ['--env', 'staging', '--dry-run'], { FAKE_SECRETS: 'STREAM_SIGNING_KEY,ADMIN_API_KEY' }, dir);
    expect(deploy.stdout).toContain('https://music.example.org (custom domain music.example.org)');
    expect(deploy.calls.find((call) => call.args.includes('wrangler.toml'))!.args).not.toContain('--domain');
  });

  it('without a domain, says what the workers.dev address goes without', async () => {
    const run = await runScript('scripts/setup-cloudflare.mjs', ['--env', 'production', '--dry-run'], { API_DOMAIN: '' }, configCopy());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('no API_DOMAIN: the API Worker answers on its workers.dev address, where the Cache API keeps nothing');
    expect(run.stdout).toContain('npm run setup:cloudflare -- --env production --domain api.example.com --write');
  });
});
