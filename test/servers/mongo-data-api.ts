import { buffer } from 'node:stream/consumers';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeEjson, encodeEjson, EjsonError } from '../../workers/core/src/store/ejson';
import { DataApiError, Engine, ObjectId, type Doc } from './mongo-engine';

/**
 * A test stand-in for the MongoDB Data API (v1 wire protocol), as strict as
 * the hosted one was: POST /action/<name> under the app's base path, an API
 * key, the three routing fields, only the body fields each action takes,
 * EJSON both ways, `{error, error_code}` answers. Data lives per
 * dataSource/database, so each test can take a database of its own.
 *
 * Control (no key needed): POST /__control/fault {mode, times?, database?,
 * actions?}, POST /__control/reset {database?}, GET /__control/calls?database=,
 * GET /__control/dump?database=&collection= (canonical EJSON).
 */

export type FaultMode = 'timeout' | '500' | 'garbage' | 'bad_shape' | 'none';

interface Fault {
  mode: Exclude<FaultMode, 'none'>;
  remaining: number;
  database?: string;
  actions?: string[];
}

interface Call {
  action: string;
  database: string;
  collection: string;
  status: number;
  fault?: string;
}

const BASE_PATH = '/app/data-test/endpoint/data/v1';
const DATA_SOURCES = new Set(['Cluster0', 'mongodb-atlas']);
const ROUTING = ['dataSource', 'database', 'collection'];
const ACTION_FIELDS: Record<string, string[]> = {
  findOne: ['filter', 'projection'],
  find: ['filter', 'projection', 'sort', 'limit', 'skip'],
  insertOne: ['document'],
  insertMany: ['documents'],
  updateOne: ['filter', 'update', 'upsert'],
  updateMany: ['filter', 'update', 'upsert'],
  deleteOne: ['filter'],
  deleteMany: ['filter'],
  aggregate: ['pipeline'],
};
const REQUIRED_FIELDS: Record<string, string[]> = {
  insertOne: ['document'],
  insertMany: ['documents'],
  updateOne: ['update'],
  updateMany: ['update'],
  aggregate: ['pipeline'],
  deleteOne: ['filter'],
  deleteMany: ['filter'],
};

export async function startMongoDataApi(): Promise<{ url: string; apiKey: string; close(): Promise<void> }> {
  const apiKey = `test-mongo-key-${randomBytes(12).toString('hex')}`;
  const engine = new Engine();
  let faults: Fault[] = [];
  let calls: Call[] = [];
  const hanging = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    route(req, res).catch((error) => answer(res, 500, { error: String(error), error_code: 'InternalServerError' }));
  });

  async function route(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://mongo.test');
    const text = (await buffer(req)).toString('utf8');
    if (url.pathname.startsWith('/__control/')) return control(url, text, res);

    const match = /^(.*)\/action\/([^/]+)$/.exec(url.pathname);
    if (!match || match[1] !== BASE_PATH || !(match[2]! in ACTION_FIELDS)) {
      return answer(res, 404, { error: 'no matching endpoint found', error_code: 'NoMatchingEndpoint' });
    }
    if (req.method !== 'POST') return answer(res, 405, { error: 'method not allowed', error_code: 'MethodNotAllowed' });
    const action = match[2]!;

    const given = req.headers['api-key'] ?? req.headers['apikey'] ?? bearerOf(req.headers.authorization);
    if (given === undefined) {
      return answer(res, 400, {
        error: 'must specify some form of authentication (either email+password, api-key, or jwt) in the request header or body',
        error_code: 'MissingParameter',
      });
    }
    if (given !== apiKey) return answer(res, 401, { error: 'invalid session: error finding user for endpoint', error_code: 'InvalidSession' });

    const contentType = String(req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (contentType !== 'application/json' && contentType !== 'application/ejson') {
      return answer(res, 400, { error: `unsupported content type '${contentType}'`, error_code: 'InvalidParameter' });
    }
    let body: Doc;
    try {
      const parsed = decodeEjson(JSON.parse(text), { objectId: (hex) => new ObjectId(hex) });
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new EjsonError('not an object');
      body = parsed as Doc;
    } catch {
      return answer(res, 400, { error: 'invalid request body: could not parse EJSON', error_code: 'InvalidParameter' });
    }
    const database = typeof body.database === 'string' ? body.database : '';
    const collection = typeof body.collection === 'string' ? body.collection : '';
    const record = (status: number, fault?: string) => calls.push({ action, database, collection, status, fault });

    const fault = takeFault(action, database);
    if (fault) {
      record(fault === 'timeout' ? 0 : fault === '500' ? 500 : 200, fault);
      if (fault === 'timeout') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if (fault === '500') return answer(res, 500, { error: 'internal server error', error_code: 'InternalServerError' });
      res.writeHead(200, { 'content-type': 'application/ejson' });
      return res.end(fault === 'garbage' ? '<html><body>Bad gateway</body' : '{"ok":true,"result":"something else"}');
    }

    try {
      const result = execute(action, body);
      record(200);
      return answer(res, 200, result, String(req.headers.accept ?? '').includes('application/ejson'));
    } catch (error) {
      if (error instanceof DataApiError) {
        record(error.status);
        return answer(res, error.status, { error: error.message, error_code: error.errorCode });
      }
      // mingo rejects unknown operators and bad expressions: a bad request, as on a real server.
      record(400);
      return answer(res, 400, { error: `Failed to run ${action}: ${(error as Error).message}`, error_code: 'InvalidParameter' });
    }
  }

  function execute(action: string, body: Doc): Doc {
    for (const field of ROUTING) {
      if (typeof body[field] !== 'string' || body[field] === '') {
        throw new DataApiError(400, 'MissingParameter', `must specify '${field}'`);
      }
    }
    for (const field of Object.keys(body)) {
      if (!ROUTING.includes(field) && !ACTION_FIELDS[action]!.includes(field)) {
        throw new DataApiError(400, 'InvalidParameter', `invalid parameter '${field}' for action '${action}'`);
      }
    }
    for (const field of REQUIRED_FIELDS[action] ?? []) {
      if (body[field] === undefined) throw new DataApiError(400, 'MissingParameter', `must specify '${field}'`);
    }
    if (!DATA_SOURCES.has(String(body.dataSource))) {
      throw new DataApiError(404, 'DataSourceNotFound', `data source '${String(body.dataSource)}' not found`);
    }
    const filter = objectField(body, 'filter') ?? {};
    const coll = engine.collection(String(body.dataSource), String(body.database), String(body.collection));
    switch (action) {
      case 'findOne':
        return { document: coll.find(filter, { projection: objectField(body, 'projection'), limit: 1 })[0] ?? null };
      case 'find':
        return {
          documents: coll.find(filter, {
            projection: objectField(body, 'projection'),
            sort: objectField(body, 'sort'),
            skip: countField(body, 'skip'),
            limit: countField(body, 'limit'),
          }),
        };
      case 'insertOne':
        return { insertedId: coll.insert(objectField(body, 'document')!) };
      case 'insertMany': {
        const documents = body.documents;
        if (!Array.isArray(documents) || documents.length === 0 || documents.some((doc) => !isPlainObject(doc))) {
          throw new DataApiError(400, 'InvalidParameter', "'documents' must be a non-empty array of documents");
        }
        // Ordered, as the driver's default: documents before a duplicate stay inserted.
        return { insertedIds: documents.map((doc) => coll.insert(doc as Doc)) };
      }
      case 'updateOne':
      case 'updateMany': {
        const upsert = body.upsert;
        if (upsert !== undefined && typeof upsert !== 'boolean') throw new DataApiError(400, 'InvalidParameter', "'upsert' must be a boolean");
        return coll.update(filter, objectField(body, 'update')!, { many: action === 'updateMany', upsert: upsert === true });
      }
      case 'deleteOne':
      case 'deleteMany':
        return { deletedCount: coll.delete(filter, action === 'deleteMany') };
      case 'aggregate': {
        const pipeline = body.pipeline;
        if (!Array.isArray(pipeline) || pipeline.some((stage) => !isPlainObject(stage))) {
          throw new DataApiError(400, 'InvalidParameter', "'pipeline' must be an array of stages");
        }
        return { documents: coll.aggregate(pipeline as Doc[]) };
      }
    }
    throw new DataApiError(404, 'NoMatchingEndpoint', 'no matching endpoint found');
  }

  function takeFault(action: string, database: string): Fault['mode'] | undefined {
    const fault = faults.find(
      (item) => item.remaining > 0 && (!item.database || item.database === database) && (!item.actions || item.actions.includes(action)),
    );
    if (!fault) return undefined;
    fault.remaining -= 1;
    return fault.mode;
  }

  function control(url: URL, text: string, res: ServerResponse) {
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const database = typeof body.database === 'string' ? body.database : (url.searchParams.get('database') ?? undefined);
    switch (url.pathname) {
      case '/__control/fault': {
        faults = faults.filter((item) => item.database !== database);
        if (body.mode !== 'none') {
          faults.push({
            mode: body.mode as Fault['mode'],
            remaining: typeof body.times === 'number' ? body.times : Number.POSITIVE_INFINITY,
            database,
            actions: Array.isArray(body.actions) ? (body.actions as string[]) : undefined,
          });
        }
        return answer(res, 200, { ok: true });
      }
      case '/__control/reset':
        engine.reset(database);
        faults = database ? faults.filter((item) => item.database !== database) : [];
        calls = database ? calls.filter((call) => call.database !== database) : [];
        releaseHanging();
        return answer(res, 200, { ok: true });
      case '/__control/calls':
        return answer(res, 200, { calls: calls.filter((call) => !database || call.database === database) });
      case '/__control/dump':
        return answer(res, 200, { documents: engine.dump(database ?? '', url.searchParams.get('collection') ?? '') }, true);
    }
    return answer(res, 404, { error: 'unknown control endpoint' });
  }

  function releaseHanging() {
    for (const res of hanging) res.destroy();
    hanging.clear();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    apiKey,
    close: () =>
      new Promise<void>((resolve) => {
        releaseHanging();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(res: ServerResponse, status: number, body: unknown, ejson = false) {
  const encoded = encodeEjson(body, {
    canonical: ejson,
    isoDates: !ejson,
    replace: (value) => (value instanceof ObjectId ? { $oid: value.hex } : undefined),
  });
  res.writeHead(status, { 'content-type': ejson ? 'application/ejson' : 'application/json' });
  res.end(JSON.stringify(encoded));
}

function bearerOf(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1];
}

function isPlainObject(value: unknown): value is Doc {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof ObjectId);
}

function objectField(body: Doc, field: string): Doc | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) throw new DataApiError(400, 'InvalidParameter', `'${field}' must be a document`);
  return value;
}

function countField(body: Doc, field: string): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 50_000) {
    throw new DataApiError(400, 'InvalidParameter', `'${field}' must be a whole number from 0 to 50000`);
  }
  return value;
}

