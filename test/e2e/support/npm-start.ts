import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts the whole service exactly as `npm start` does (both Workers, local
 * queues and D1), on a port of its own with its own local state.
 */
export async function startService(
  port: number,
  settings: Record<string, string>,
): Promise<{ url: string; process: ChildProcess; output(): string; stop(): void }> {
  const child = spawn('npm', ['start'], {
    env: { ...process.env, ...settings, PORT: String(port), DASHBOARD_PORT: '0', INSPECTOR_PORT: String(port + 1000), PERSIST_TO: mkdtempSync(join(tmpdir(), 'npm-start-state-')) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 240; attempt++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null) throw new Error(`service exited: ${output}`);
    if (attempt === 200) console.log(`service on ${port} still not up:\n${output.slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    url,
    process: child,
    output: () => output,
    stop: () => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}
