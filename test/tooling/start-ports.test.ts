import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from './support';

/** A port something else already listens on, as an operator's other dev server would. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

async function freePort(): Promise<number> {
  const { port, server } = await holdPort();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function npmStart(env: Record<string, string>) {
  return spawnSync(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...env } });
}

const held: Server[] = [];
afterEach(() => {
  for (const server of held.splice(0)) server.close();
});

describe('npm start with a port already taken', () => {
  it('says which port the dashboard wanted and how to move it, and starts nothing', async () => {
    const { port: dashboard, server } = await holdPort();
    held.push(server);
    const api = await freePort();
    const run = npmStart({ PORT: String(api), DASHBOARD_PORT: String(dashboard) });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`port ${dashboard} (the dashboard) is already in use`);
    expect(run.stderr).toContain('DASHBOARD_PORT');
    // Nothing half-started: no API left listening without its dashboard.
    expect(await fetch(`http://127.0.0.1:${api}/health`).then(() => 'answered', () => 'nothing there')).toBe('nothing there');
  });

  it('says so for the API port too', async () => {
    const { port: api, server } = await holdPort();
    held.push(server);
    const run = npmStart({ PORT: String(api), DASHBOARD_PORT: '0' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`port ${api} (the API) is already in use`);
    expect(run.stderr).toContain('set PORT to another port');
  });
});
