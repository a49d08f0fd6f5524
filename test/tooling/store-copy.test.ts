import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoWireServer, type WireServer } from '../servers/mongo-wire';
import { ROOT } from './support';

/**
 * `npm run store:copy` between a local D1 database (through the real wrangler, as an
 * operator runs it) and MongoDB (the official driver, against the wire-protocol server).
 */
const NODE = join(ROOT, 'node_modules/.bin/node');
let mongo: WireServer;

function wrangler(persist: string, ...args: string[]) {
  const result = spawnSync('npx', ['wrangler', 'd1', ...args, '-c', 'wrangler.toml', '--local', '--persist-to', persist], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false' },
  });
  if (result.status !== 0) throw new Error(result.stderr || result.stdout);
  return result.stdout;
}

const query = (persist: string, sql: string) =>
  (JSON.parse(wrangler(persist, 'execute', 'DB', '--json', '--command', sql)) as Array<{ results: Record<string, unknown>[] }>).flatMap((part) => part.results);

function freshD1(): string {
  const persist = mkdtempSync(join(tmpdir(), 'store-copy-d1-'));
  wrangler(persist, 'migrations', 'apply', 'DB');
  return persist;
}

/** Asynchronous: the wire server answers from this same process. */
function copy(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(NODE, ['scripts/store-copy.mjs', ...args], {
    cwd: ROOT,
    env: { ...process.env, MONGODB_URI: mongo.uri, MONGO_DATABASE: 'copied', CI: '1', WRANGLER_SEND_METRICS: 'false' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return new Promise((done) => child.on('close', (code) => done({ code, output })));
}

const dump = async (collection: string) =>
  ((await (await fetch(`${mongo.controlUrl}/__control/dump?database=copied&collection=${collection}`)).json()) as { documents: any[] }).documents;

beforeAll(async () => {
  mongo = await startMongoWireServer();
});
afterAll(async () => {
  await mongo?.close();
});

describe('store:copy', () => {
  it('copies D1 to MongoDB and back, idempotently, with a progress line per batch', async () => {
    const source = freshD1();
    const hash = 'a'.repeat(64);
    query(
      source,
      `INSERT INTO api_keys (id, key_hash, name, name_lower, tier, daily_limit, created_at, expires_at, active, last_used_at, total_used, version)
       VALUES ('key1', '${hash}', 'Old Bot', 'old bot', 'user', 50, 1700000000000, NULL, 1, 1700000500000, 7, 3);
       INSERT INTO api_logs (request_id, time, endpoint, method, key_id, client_ip, status, error_code, duration_ms, query, colo, cache)
       VALUES ('req1', 1700000600000, '/v1/resolve', 'GET', 'key1', '198.51.100.7', 200, NULL, 12, 'song', 'BOM', 'hit');
       INSERT INTO api_logs (request_id, time, endpoint, method, key_id, client_ip, status, error_code, duration_ms, query, colo, cache, weight)
       VALUES ('req2', 1700000601000, '/v1/resolve', 'GET', 'key1', '198.51.100.7', 200, NULL, 14, 'song', 'BOM', 'miss', 100);
       INSERT INTO cache_metadata (video_id, type, status, updated_at, attempts, file_id, size, expires_at)
       VALUES ('dQw4w9WgXcQ', 'audio', 'ready', 1700000700000, 1, 'file-1', 1234, 1900000000000);`,
    );

    const first = await copy(['--from', 'd1', '--to', 'mongodb', '--persist-to', source]);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('api_keys: 1/1');
    expect(first.output).toContain('api_logs: 2/2');
    expect(first.output).not.toContain(mongo.password);
    const keys = await dump('api_keys');
    expect(keys).toEqual([
      expect.objectContaining({ _id: 'key1', key_hash: hash, active: true, created_at: { $date: { $numberLong: '1700000000000' } }, version: { $numberInt: '3' } }),
    ]);
    expect((await dump('cache_metadata'))[0]).toMatchObject({ _id: 'audio:dQw4w9WgXcQ', status: 'ready', file_id: 'file-1' });

    // Again: nothing doubles.
    expect((await copy(['--from', 'd1', '--to', 'mongodb', '--persist-to', source])).code).toBe(0);
    // A sampled request's row keeps its weight; an unsampled one is written as the service writes it to Mongo.
    const logs = await dump('api_logs');
    expect(logs).toHaveLength(2);
    expect(logs.find((doc) => doc._id === 'req1')).not.toHaveProperty('weight');
    expect(logs.find((doc) => doc._id === 'req2')).toMatchObject({ weight: { $numberInt: '100' } });
    expect(await dump('api_keys')).toHaveLength(1);

    const back = freshD1();
    const returned = await copy(['--from', 'mongodb', '--to', 'd1', '--persist-to', back]);
    expect(returned.code, returned.output).toBe(0);
    expect(query(back, 'SELECT id, key_hash, active, created_at, last_used_at, total_used, version FROM api_keys')).toEqual([
      { id: 'key1', key_hash: hash, active: 1, created_at: 1700000000000, last_used_at: 1700000500000, total_used: 7, version: 3 },
    ]);
    expect(query(back, 'SELECT request_id, time, cache, weight FROM api_logs ORDER BY request_id')).toEqual([
      { request_id: 'req1', time: 1700000600000, cache: 'hit', weight: 1 },
      { request_id: 'req2', time: 1700000601000, cache: 'miss', weight: 100 },
    ]);
    expect(query(back, 'SELECT video_id, type, status, expires_at FROM cache_metadata')).toEqual([
      { video_id: 'dQw4w9WgXcQ', type: 'audio', status: 'ready', expires_at: 1900000000000 },
    ]);
  }, 600_000);

  it('refuses an unknown backend with the usage line', async () => {
    const result = await copy(['--from', 'd1', '--to', 'postgres']);
    expect(result.code).toBe(2);
    expect(result.output).toContain('Usage: npm run store:copy');
  });
});
