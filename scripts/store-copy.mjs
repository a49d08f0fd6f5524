// `npm run store:copy -- --from d1 --to mongodb` (or any two of d1, mongodb, mongo-data-api):
// copies API keys, request logs and cache entries from one metadata store backend to
// another, from the operator's machine. Idempotent: keys and cache entries are upserted by
// their id (a second run rewrites the same records), logs inserted once by request id.
//
//   d1             through wrangler: `wrangler d1 execute DB` on the local database
//                  (--persist-to DIR as `npm start` used) or, with --remote, the deployed
//                  one of --env <staging|production>.
//   mongodb        the official driver, with MONGODB_URI and MONGO_DATABASE from the
//                  environment or .dev.vars (your IP must be in Atlas's access list).
//   mongo-data-api MONGO_DATA_API_URL, MONGO_DATA_API_KEY, MONGO_DATA_SOURCE, MONGO_AUTH.
//
// Documents are the Mongo backends' shapes (dates as dates, `_id` the natural key);
// D1 keeps times as epoch milliseconds and booleans as 0/1.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const BACKENDS = ['d1', 'mongodb', 'mongo-data-api'];
const BATCH = 200;

export const TABLES = [
  { name: 'api_keys', key: ['id'], dates: ['created_at', 'expires_at', 'last_used_at'], booleans: ['active'], idOf: (doc) => doc.id, upsert: true },
  { name: 'api_logs', key: ['request_id'], dates: ['time'], booleans: [], idOf: (doc) => doc.request_id, upsert: false },
  {
    name: 'cache_metadata',
    key: ['video_id', 'type'],
    dates: ['cached_at', 'expires_at', 'claimed_at', 'updated_at', 'lease_until'],
    booleans: [],
    idOf: (doc) => `${doc.type}:${doc.video_id}`,
    upsert: true,
  },
];

function usage(message) {
  console.error(`${message}\nUsage: npm run store:copy -- --from <${BACKENDS.join('|')}> --to <${BACKENDS.join('|')}> [--remote --env <name>] [--persist-to DIR] [--config wrangler.toml]`);
  process.exit(2);
}

function settingsFromEnv() {
  const fileVars = {};
  if (existsSync('.dev.vars')) {
    for (const line of readFileSync('.dev.vars', 'utf8').split(/\r?\n/)) {
      const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
      if (!match) continue;
      let value = match[2];
      if (/^".*"$/.test(value)) value = JSON.parse(value);
      else if (/^'.*'$/.test(value)) value = value.slice(1, -1);
      fileVars[match[1]] = value;
    }
  }
  return { ...fileVars, ...process.env };
}

/** A D1 row as a Mongo document: ms → Date, 0/1 → boolean, `_id` the natural key. */
export function rowToDocument(table, row) {
  const doc = { _id: table.idOf(row) };
  for (const [field, value] of Object.entries(row)) {
    if (table.dates.includes(field)) doc[field] = value === null || value === undefined ? null : new Date(Number(value));
    else if (table.booleans.includes(field)) doc[field] = value === 1 || value === true;
    else doc[field] = value;
  }
  // A log row of an unsampled request (weight 1) is kept as the service writes it to Mongo: without one.
  if (table.name === 'api_logs' && doc.weight === 1) delete doc.weight;
  return doc;
}

/** A Mongo document as a D1 row of `columns`: Date → ms, boolean → 0/1, `_id` dropped. */
export function documentToRow(table, doc, columns) {
  const row = {};
  for (const column of columns) {
    const value = doc[column];
    if (value === undefined || value === null) row[column] = null;
    else if (table.dates.includes(column)) row[column] = value instanceof Date ? value.getTime() : new Date(value).getTime();
    else if (table.booleans.includes(column)) row[column] = value ? 1 : 0;
    else row[column] = value;
  }
  // A key copied from a store without versions starts at 1; one without name_lower gets it (search folds case).
  if (columns.includes('version') && row.version === null) row.version = 1;
  // A log document without a weight stands for one request (LOG_SAMPLE_ONE_IN).
  if (columns.includes('weight') && row.weight === null) row.weight = 1;
  if (columns.includes('name_lower') && row.name_lower === null && typeof row.name === 'string') row.name_lower = row.name.toLowerCase();
  return row;
}

function sqlValue(value) {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  return `'${String(value).replaceAll("'", "''")}'`;
}

function d1Backend(options) {
  const target = options.remote ? ['--remote'] : ['--local', ...(options['persist-to'] ? ['--persist-to', options['persist-to']] : [])];
  const base = ['wrangler', 'd1', 'execute', 'DB', '-c', options.config, ...(options.env ? ['--env', options.env] : []), ...target, '--json'];
  const run = (args) => {
    const result = spawnSync('npx', [...base, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false' } });
    if (result.status !== 0) throw new Error(`wrangler d1 execute failed:\n${result.stderr || result.stdout}`);
    const parsed = JSON.parse(result.stdout);
    return parsed.flatMap((part) => part.results ?? []);
  };
  const query = (sql) => run(['--command', sql]);
  const columnsOf = new Map();
  const columns = (table) => {
    if (!columnsOf.has(table.name)) columnsOf.set(table.name, query(`PRAGMA table_info(${table.name})`).map((column) => column.name));
    return columnsOf.get(table.name);
  };
  return {
    label: options.remote ? `D1 (remote${options.env ? `, ${options.env}` : ''})` : 'D1 (local)',
    async count(table) {
      return Number(query(`SELECT COUNT(*) AS n FROM ${table.name}`)[0]?.n ?? 0);
    },
    async *read(table) {
      for (let offset = 0; ; offset += BATCH) {
        const rows = query(`SELECT * FROM ${table.name} ORDER BY ${table.key.join(', ')} LIMIT ${BATCH} OFFSET ${offset}`);
        if (rows.length === 0) return;
        yield rows.map((row) => rowToDocument(table, row));
        if (rows.length < BATCH) return;
      }
    },
    async write(table, docs) {
      const names = columns(table);
      const statements = docs.map((doc) => {
        const row = documentToRow(table, doc, names);
        const insert = `INSERT INTO ${table.name} (${names.join(', ')}) VALUES (${names.map((name) => sqlValue(row[name])).join(', ')})`;
        if (!table.upsert) return `${insert} ON CONFLICT DO NOTHING;`;
        const updates = names.filter((name) => !table.key.includes(name)).map((name) => `${name} = excluded.${name}`);
        return `${insert} ON CONFLICT(${table.key.join(', ')}) DO UPDATE SET ${updates.join(', ')};`;
      });
      const dir = mkdtempSync(join(tmpdir(), 'store-copy-'));
      try {
        const file = join(dir, 'batch.sql');
        writeFileSync(file, statements.join('\n'));
        run(['--file', file, '--yes']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    async close() {},
  };
}

async function mongodbBackend(settings) {
  if (!settings.MONGODB_URI) usage('MONGODB_URI is not set (environment or .dev.vars).');
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(settings.MONGODB_URI, { serverSelectionTimeoutMS: 10_000, appName: 'yt-music-api store:copy' });
  await client.connect();
  const db = client.db(settings.MONGO_DATABASE || 'yt_music_api');
  return {
    label: `MongoDB (${db.databaseName})`,
    count: (table) => db.collection(table.name).countDocuments({}),
    async *read(table) {
      const cursor = db.collection(table.name).find({}).sort({ _id: 1 }).batchSize(BATCH);
      let batch = [];
      for await (const doc of cursor) {
        batch.push(doc);
        if (batch.length === BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
    async write(table, docs) {
      const operations = docs.map((doc) => {
        const { _id, ...fields } = { ...doc, _id: table.idOf(doc) };
        return table.upsert
          ? { replaceOne: { filter: { _id }, replacement: fields, upsert: true } }
          : { updateOne: { filter: { _id }, update: { $setOnInsert: fields }, upsert: true } };
      });
      await db.collection(table.name).bulkWrite(operations, { ordered: false });
    },
    close: () => client.close(),
  };
}

async function dataApiBackend(settings) {
  const url = settings.MONGO_DATA_API_URL?.replace(/\/+$/, '');
  if (!url || !settings.MONGO_DATA_API_KEY) usage('MONGO_DATA_API_URL and MONGO_DATA_API_KEY must be set (environment or .dev.vars).');
  const { EJSON } = await import('bson');
  const auth = settings.MONGO_AUTH === 'bearer' ? { Authorization: `Bearer ${settings.MONGO_DATA_API_KEY}` } : { 'api-key': settings.MONGO_DATA_API_KEY };
  const database = settings.MONGO_DATABASE || 'yt_music_api';
  const call = async (action, collection, body) => {
    const response = await fetch(`${url}/action/${action}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/ejson', Accept: 'application/ejson', ...auth },
      body: EJSON.stringify({ dataSource: settings.MONGO_DATA_SOURCE || 'Cluster0', database, collection, ...body }, { relaxed: false }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`The Data API answered ${action} on ${collection} with HTTP ${response.status}.`);
    return EJSON.parse(text, { relaxed: false });
  };
  const plain = (value) => EJSON.deserialize(EJSON.serialize(value, { relaxed: false }), { relaxed: true });
  return {
    label: `Mongo Data API (${database})`,
    async count(table) {
      const { documents } = await call('aggregate', table.name, { pipeline: [{ $count: 'n' }] });
      return Number(documents[0]?.n ?? 0);
    },
    async *read(table) {
      for (let skip = 0; ; skip += BATCH) {
        const { documents } = await call('find', table.name, { filter: {}, sort: { _id: 1 }, skip, limit: BATCH });
        if (documents.length === 0) return;
        yield documents.map(plain);
        if (documents.length < BATCH) return;
      }
    },
    async write(table, docs) {
      for (const doc of docs) {
        const { _id, ...fields } = { ...doc, _id: table.idOf(doc) };
        await call('updateOne', table.name, { filter: { _id }, update: table.upsert ? { $set: fields } : { $setOnInsert: fields }, upsert: true });
      }
    },
    close: async () => {},
  };
}

async function open(kind, options, settings) {
  if (kind === 'd1') return d1Backend(options);
  if (kind === 'mongodb') return mongodbBackend(settings);
  return dataApiBackend(settings);
}

export async function main(argv = process.argv.slice(2)) {
  const { values: options } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      env: { type: 'string' },
      remote: { type: 'boolean', default: false },
      'persist-to': { type: 'string' },
      config: { type: 'string', default: 'wrangler.toml' },
    },
  });
  if (!BACKENDS.includes(options.from) || !BACKENDS.includes(options.to)) usage('--from and --to must each be one of the backends.');
  if (options.from === options.to) usage('--from and --to must differ.');
  const settings = settingsFromEnv();
  const source = await open(options.from, options, settings);
  const target = await open(options.to, options, settings);
  try {
    console.log(`Copying ${source.label} → ${target.label}`);
    for (const table of TABLES) {
      const total = await source.count(table);
      let done = 0;
      for await (const docs of source.read(table)) {
        await target.write(table, docs);
        done += docs.length;
        console.log(`${table.name}: ${done}/${total}`);
      }
      if (done === 0) console.log(`${table.name}: 0/0`);
    }
    console.log('Done. Run it again at any time: records already copied are rewritten, logs are not doubled.');
  } finally {
    await source.close();
    await target.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error) => {
    // A driver message could quote the connection string or the Data API key: both are masked.
    const settings = settingsFromEnv();
    let message = error instanceof Error ? error.message : String(error);
    for (const secret of [settings.MONGODB_URI, settings.MONGO_DATA_API_KEY, /:([^:@/]+)@/.exec(settings.MONGODB_URI ?? '')?.[1]]) {
      if (secret) message = message.replaceAll(secret, '***');
    }
    console.error(`store:copy failed: ${message}`);
    process.exit(1);
  });
}
