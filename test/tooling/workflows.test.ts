import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { commandLine, healthyApi, ROOT, runScript, startFakeApi } from './support';

interface Step { name?: string; uses?: string; run?: string; with?: Record<string, string>; env?: Record<string, string>; id?: string }
interface Job { steps?: Step[]; strategy?: { matrix: Record<string, string[]> }; environment?: { name: string }; concurrency?: { group: string; 'cancel-in-progress': boolean }; needs?: string[]; uses?: string }

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** GitHub's own parser (the one behind the Actions editor): schema errors fail the test. */
async function parseWithGitHub(path: string) {
  const result = parseWorkflow({ name: path, content: read(path) }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((error) => error.message);
  const template = result.value ? await convertWorkflowTemplate(result.context, result.value) : undefined;
  return { errors: [...errors, ...(template?.errors ?? []).map((error) => error.Message)], template };
}

const workflow = (path: string) => parse(read(path)) as { on: Record<string, unknown>; jobs: Record<string, Job> };
const ciRunLines = read('.ci/run').split('\n').map((line) => line.trim()).filter(Boolean);

describe('the workflows', () => {
  it.each(['.github/workflows/ci.yml', '.github/workflows/deploy.yml'])('%s is a valid workflow for GitHub', async (path) => {
    const { errors, template } = await parseWithGitHub(path);
    expect(errors).toEqual([]);
    expect(template?.jobs.length).toBeGreaterThan(0);
  });

  it('the parser finds what GitHub would refuse', async () => {
    const broken = 'on: push\njobs:\n  test:\n    steps:\n      - run: npm test\n        shell: [bash]\n    unknown-key: 1\n';
    const result = parseWorkflow({ name: 'broken.yml', content: broken }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
  });

  it('ci.yml runs on pull requests and pushes, and each run: line is a command .ci/run runs', async () => {
    const { template } = await parseWithGitHub('.github/workflows/ci.yml');
    expect(Object.keys(template!.events)).toEqual(expect.arrayContaining(['pull_request', 'push', 'workflow_call']));
    const ci = workflow('.github/workflows/ci.yml');
    const commands: string[] = [];
    for (const job of Object.values(ci.jobs)) {
      const matrix = Object.entries(job.strategy?.matrix ?? {});
      const expand = (line: string): string[] => {
        const match = /\$\{\{\s*matrix\.(\w+)\s*\}\}/.exec(line);
        if (!match) return [line];
        const values = matrix.find(([name]) => name === match[1])?.[1] ?? [];
        return values.flatMap((value) => expand(line.replace(match[0], value)));
      };
      for (const step of job.steps ?? []) {
        for (const line of (step.run ?? '').split('\n').map((text) => text.trim()).filter(Boolean)) commands.push(...expand(line));
      }
    }
    expect(commands).toEqual(expect.arrayContaining(['npm test', 'npm run deploy -- --env staging --dry-run', 'npm run deploy -- --env production --dry-run']));
    for (const command of commands) expect(ciRunLines, `ci.yml runs "${command}", which .ci/run does not`).toContain(command);
  });

  it(".ci/run runs the README's test command", () => {
    const readme = read('README.md');
    const block = /## Two commands\s+```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const testCommand = block.split('\n').map((line) => line.replace(/#.*/, '').trim()).find((line) => line.startsWith('npm test'));
    expect(testCommand).toBe('npm test');
    expect(ciRunLines).toContain(testCommand);
  });

  it('deploy.yml: main → staging, a release tag or a manual run → production, one deploy per environment, after CI', async () => {
    const { template } = await parseWithGitHub('.github/workflows/deploy.yml');
    expect(Object.keys(template!.events).sort()).toEqual(['push', 'workflow_dispatch']);
    const deploy = workflow('.github/workflows/deploy.yml');
    expect(deploy.on.push).toEqual({ branches: ['main'], tags: ['v*'] });
    const pick = deploy.jobs.target!.steps![0]!.run!;
    expect(pick).toContain('target=production');
    expect(pick).toContain('else target=staging');
    expect(deploy.jobs.ci!.uses).toBe('./.github/workflows/ci.yml');
    const job = deploy.jobs.deploy!;
    expect(job.needs).toEqual(['ci', 'target']);
    expect(job.environment!.name).toBe('${{ needs.target.outputs.environment }}');
    expect(job.concurrency).toEqual({ group: 'deploy-${{ needs.target.outputs.environment }}', 'cancel-in-progress': false });
  });

  it('deploy.yml uses the official wrangler action pinned to one version, with the project’s wrangler', () => {
    const steps = workflow('.github/workflows/deploy.yml').jobs.deploy!.steps!;
    const actions = steps.filter((step) => step.uses?.startsWith('cloudflare/wrangler-action'));
    expect(actions.length).toBe(4);
    const installed = JSON.parse(read('node_modules/wrangler/package.json')).version;
    for (const step of actions) {
      expect(step.uses).toMatch(/^cloudflare\/wrangler-action@v\d+\.\d+\.\d+$/);
      expect(step.uses).toBe(actions[0]!.uses);
      expect(step.with!.wranglerVersion).toBe(installed);
      expect(step.with!.apiToken).toBe('${{ secrets.CLOUDFLARE_API_TOKEN }}');
      expect(step.with!.accountId).toBe('${{ secrets.CLOUDFLARE_ACCOUNT_ID }}');
    }
  });

  it('deploy.yml runs the same wrangler commands, in the same order, as `npm run deploy`', async () => {
    const api = await startFakeApi(healthyApi('smoke-key'));
    try {
      const run = await runScript('scripts/deploy.mjs', ['--env', 'staging'], {
        FAKE_SECRETS: 'STREAM_SIGNING_KEY,ADMIN_API_KEY', FAKE_API_URL: api.url, SMOKE_API_KEY: 'smoke-key', SMOKE_RETRY_DELAY_MS: '10',
      });
      expect(run.code).toBe(0);
      const steps = workflow('.github/workflows/deploy.yml').jobs.deploy!.steps!;
      const DOMAIN_FLAG = "${{ vars.API_DOMAIN && format(' --domain {0}', vars.API_DOMAIN) || '' }}";
      const expandEnv = (text: string, domain = '') =>
        text.replaceAll('${{ needs.target.outputs.environment }}', 'staging').replaceAll('"$TARGET"', 'staging').replaceAll(DOMAIN_FLAG, domain ? ` --domain ${domain}` : '');
      // The secrets check and the smoke test are the script's own steps in both.
      const scriptSteps = steps.filter((step) => step.run?.startsWith('node scripts/deploy.mjs')).map((step) => expandEnv(step.run!));
      expect(scriptSteps).toEqual(['node scripts/deploy.mjs --env staging --step secrets', 'node scripts/deploy.mjs --env staging --step smoke']);
      const inWorkflow = steps.flatMap((step) => {
        if (step.uses?.startsWith('cloudflare/wrangler-action')) return [expandEnv(step.with!.command!)];
        if (step.run?.includes('--step secrets')) return run.calls.filter((call) => call.args[0] === 'secret').map(commandLine);
        return [];
      });
      expect(inWorkflow).toEqual(run.calls.map(commandLine));
      // With the environment's API_DOMAIN, both deploy the API onto it as its custom domain.
      const onDomain = await runScript('scripts/deploy.mjs', ['--env', 'staging', '--dry-run'], { FAKE_SECRETS: 'STREAM_SIGNING_KEY,ADMIN_API_KEY', API_DOMAIN: 'api.example.com' });
      const apiStep = steps.find((step) => step.id === 'api')!;
      expect(onDomain.calls.map((call) => call.args.slice(0, 7).join(' '))).toContain(expandEnv(apiStep.with!.command!, 'api.example.com'));
      // The dashboard is built after the API deploy, against its URL, and deployed from dashboard/.
      const names = steps.map((step) => step.name ?? step.uses ?? step.run);
      const at = (text: string) => names.findIndex((name) => name?.includes(text));
      expect([at('secrets'), at('D1 migrations'), at('Consumer'), at('API Worker'), at('Dashboard build'), at('Dashboard to Pages'), at('Smoke')]).toEqual(
        [...Array(7).keys()].map((index) => at('secrets') + index),
      );
      const build = steps[at('Dashboard build')]!;
      expect(build.run).toBe('npm run build');
      expect(build.env!.VITE_API_BASE).toContain('steps.api.outputs.deployment-url');
      expect(steps[at('Dashboard to Pages')]!.with!.workingDirectory).toBe('dashboard');
      const smoke = steps[at('Smoke')]!;
      expect(smoke.env).toMatchObject({ SMOKE_API_KEY: '${{ secrets.SMOKE_API_KEY }}', API_URL: expect.stringContaining('steps.api.outputs.deployment-url'), API_DOMAIN: '${{ vars.API_DOMAIN }}' });
      // The smoke test and the dashboard go to the custom domain when there is one.
      for (const url of [smoke.env!.API_URL, build.env!.VITE_API_BASE]) expect(url).toContain("format('https://{0}', vars.API_DOMAIN)");
      expect(smoke).not.toHaveProperty('continue-on-error');
    } finally {
      await api.close();
    }
  });
});
