import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './support';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const answers = (port: number) => fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);

async function startAndWaitReady(command: string, args: string[]) {
  const [api, dashboard] = [await freePort(), await freePort()];
  const start = spawn(command, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(api), DASHBOARD_PORT: String(dashboard), ADMIN_API_KEY: 'start-stop-admin-key-0123456789', PERSIST_TO: mkdtempSync(join(tmpdir(), 'start-stop-')) },
  });
  let output = '';
  start.stdout.on('data', (chunk) => (output += chunk));
  start.stderr.on('data', (chunk) => (output += chunk));
  for (let waited = 0; !output.includes('Ready:'); waited += 250) {
    if (waited > 90_000 || start.exitCode !== null) throw new Error(`npm start did not get ready:\n${output.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  for (let waited = 0; !(await answers(dashboard)); waited += 250) {
    if (waited > 30_000) throw new Error('the dashboard did not answer');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(await answers(api)).toBe(true);
  return { start, api, dashboard };
}

async function closedWithin(ports: number[], ms: number): Promise<boolean> {
  for (let waited = 0; waited <= ms; waited += 250) {
    if (!(await Promise.all(ports.map(answers))).some(Boolean)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

it('stops the API and the dashboard with it when its script is told to stop (SIGTERM), not only npx', async () => {
  const { start, api, dashboard } = await startAndWaitReady(process.execPath, ['scripts/start.mjs']);
  start.kill('SIGTERM');
  await once(start, 'exit');
  // Nothing of it is left serving: before, wrangler and workerd kept the API's port.
  expect(await answers(api)).toBe(false);
  expect(await answers(dashboard)).toBe(false);
});

it('stops them too when only npm is stopped (npm does not pass the signal on)', async () => {
  const { start, api, dashboard } = await startAndWaitReady('npm', ['start']);
  start.kill('SIGTERM');
  await once(start, 'exit');
  expect(await closedWithin([api, dashboard], 10_000)).toBe(true);
});
