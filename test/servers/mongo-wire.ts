import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { BSON, Binary, EJSON, Long } from 'bson';
import { find as mingoFind } from 'mingo';
import { DataApiError, Engine, type Collection, type Doc } from './mongo-engine';

/**
 * A MongoDB wire-protocol test server, for the official driver run inside
 * workerd over a real TCP socket. OP_MSG (and OP_QUERY/OP_REPLY for a legacy
 * handshake) framed with `bson`; the commands the driver sends for the
 * store: hello, ping, saslStart/saslContinue (SCRAM-SHA-256), find, getMore,
 * killCursors, insert, update, delete, findAndModify, aggregate, count,
 * createIndexes, listIndexes, collMod, endSessions. Query and update
 * semantics come from mingo (mongo-engine.ts, shared with the Data API
 * server); unique indexes exist only once createIndexes made them, and a
 * duplicate answers E11000 as mongod words it. Every command but the
 * handshake needs an authenticated connection; a wrong password gets
 * AuthenticationFailed (code 18).
 *
 * Control over HTTP (another port): POST /__control/fault {mode: hang|drop|slow|none,
 * commands?, times?, delayMs?}, POST /__control/reset {database?},
 * GET /__control/dump?database=&collection= (canonical EJSON),
 * GET /__control/indexes?database=&collection=, GET /__control/calls?database=.
 */

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const SCRAM_ITERATIONS = 15_000;
const FIRST_BATCH = 101;

export type WireFaultMode = 'hang' | 'drop' | 'slow' | 'none';

interface Fault {
  mode: Exclude<WireFaultMode, 'none'>;
  commands?: string[];
  remaining: number;
  delayMs: number;
}

interface IndexSpec {
  name: string;
  key: Doc;
  unique?: boolean;
  expireAfterSeconds?: number;
}

interface Cursor {
  ns: string;
  docs: Doc[];
}

interface ConnectionState {
  authenticated: boolean;
  scram?: { clientFirstBare: string; serverFirst: string; nonce: string };
}

export interface WireServer {
  /** mongodb://user:password@127.0.0.1:port/?directConnection=true */
  uri: string;
  /** The same with a wrong password. */
  wrongPasswordUri: string;
  port: number;
  username: string;
  password: string;
  controlUrl: string;
  close(): Promise<void>;
}

class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startMongoWireServer(options: { username?: string; password?: string } = {}): Promise<WireServer> {
  const username = options.username ?? 'store-user';
  const password = options.password ?? `pw-${randomBytes(12).toString('hex')}`;
  const salt = randomBytes(16);
  const saltedPassword = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  const storedKey = createHash('sha256').update(hmac(saltedPassword, 'Client Key')).digest();
  const serverKey = hmac(saltedPassword, 'Server Key');

  const engine = new Engine({});
  const indexes = new Map<string, IndexSpec[]>();
  const cursors = new Map<string, Cursor>();
  let nextCursor = 1;
  let connectionIds = 0;
  let faults: Fault[] = [];
  let calls: Array<{ command: string; database: string }> = [];
  const sockets = new Set<Socket>();

  const collectionOf = (database: string, name: string): Collection => engine.collection('wire', database, name);
  const indexesOf = (database: string, name: string): IndexSpec[] => {
    const key = `${database}.${name}`;
    let list = indexes.get(key);
    if (!list) {
      list = [{ name: '_id_', key: { _id: 1 } }];
      indexes.set(key, list);
    }
    return list;
  };

  function takeFault(command: string): Fault | undefined {
    const fault = faults.find((item) => item.remaining > 0 && (!item.commands || item.commands.includes(command)));
    if (fault) fault.remaining -= 1;
    return fault;
  }

  function cursorReply(ns: string, docs: Doc[], batchSize: number | undefined, single = false): Doc {
    const size = batchSize && batchSize > 0 ? batchSize : FIRST_BATCH;
    const first = docs.slice(0, size);
    let id = Long.ZERO;
    if (!single && docs.length > size) {
      id = Long.fromNumber(nextCursor++);
      cursors.set(id.toString(), { ns, docs: docs.slice(size) });
    }
    return { cursor: { firstBatch: first, id, ns }, ok: 1 };
  }

  function duplicateError(error: DataApiError): { code: number; errmsg: string; keyPattern?: Doc; keyValue?: Doc } {
    return { code: 11000, errmsg: error.message.replace(/^Duplicate key error: /, ''), ...(error.extra ?? {}) };
  }

  function hello(command: Doc, connectionId: number): Doc {
    return {
      helloOk: true,
      isWritablePrimary: true,
      ismaster: true,
      maxBsonObjectSize: 16 * 1024 * 1024,
      maxMessageSizeBytes: 48_000_000,
      maxWriteBatchSize: 100_000,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId,
      minWireVersion: 0,
      maxWireVersion: 21,
      readOnly: false,
      ...(typeof command.saslSupportedMechs === 'string' ? { saslSupportedMechs: ['SCRAM-SHA-256'] } : {}),
      ok: 1,
    };
  }

  function saslStart(command: Doc, state: ConnectionState): Doc {
    if (command.mechanism !== 'SCRAM-SHA-256') throw new CommandError(334, 'MechanismUnavailable', `Received authentication for mechanism ${String(command.mechanism)} which is not enabled`);
    const clientFirst = payloadText(command.payload);
    const bare = clientFirst.replace(/^n,,/, '');
    const fields = parseScram(bare);
    if (fields.n !== username) throw authFailed();
    const nonce = `${fields.r}${randomBytes(18).toString('base64')}`;
    const serverFirst = `r=${nonce},s=${salt.toString('base64')},i=${SCRAM_ITERATIONS}`;
    state.scram = { clientFirstBare: bare, serverFirst, nonce };
    return { conversationId: 1, done: false, payload: new Binary(Buffer.from(serverFirst)), ok: 1 };
  }

  function saslContinue(command: Doc, state: ConnectionState): Doc {
    const scram = state.scram;
    if (!scram) throw new CommandError(17, 'ProtocolError', 'No SASL session state found');
    const clientFinal = payloadText(command.payload);
    const fields = parseScram(clientFinal);
    const withoutProof = clientFinal.replace(/,p=[^,]*$/, '');
    if (fields.r !== scram.nonce || !fields.p) throw authFailed();
    const authMessage = `${scram.clientFirstBare},${scram.serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(fields.p, 'base64');
    if (proof.length !== signature.length) throw authFailed();
    const clientKey = Buffer.from(proof.map((byte, index) => byte ^ signature[index]!));
    const candidate = createHash('sha256').update(clientKey).digest();
    if (!timingSafeEqual(candidate, storedKey)) throw authFailed();
    state.scram = undefined;
    state.authenticated = true;
    const serverSignature = hmac(serverKey, authMessage).toString('base64');
    return { conversationId: 1, done: true, payload: new Binary(Buffer.from(`v=${serverSignature}`)), ok: 1 };
  }

  function run(command: Doc, state: ConnectionState, connectionId: number): Doc {
    const name = Object.keys(command)[0] ?? '';
    const database = String(command.$db ?? 'admin');
    const lower = name.toLowerCase();
    if (lower === 'hello' || lower === 'ismaster') return hello(command, connectionId);
    if (name === 'saslStart') return saslStart(command, state);
    if (name === 'saslContinue') return saslContinue(command, state);
    if (name === 'ping' && state.authenticated) return { ok: 1 };
    if (name === 'endSessions') return { ok: 1 };
    if (!state.authenticated) throw new CommandError(13, 'Unauthorized', `Command ${name} requires authentication`);
    calls.push({ command: name, database });
    const collectionName = String(command[name]);
    const ns = `${database}.${collectionName}`;
    switch (name) {
      case 'buildInfo':
        return { version: '7.0.0', versionArray: [7, 0, 0, 0], ok: 1 };
      case 'find': {
        const limit = typeof command.limit === 'number' ? Math.abs(command.limit) : 0;
        const docs = collectionOf(database, collectionName).find((command.filter as Doc) ?? {}, {
          projection: command.projection as Doc | undefined,
          sort: command.sort as Doc | undefined,
          skip: command.skip as number | undefined,
          limit,
        });
        return cursorReply(ns, docs, command.batchSize as number | undefined, command.singleBatch === true || (typeof command.limit === 'number' && command.limit < 0));
      }
      case 'aggregate': {
        const docs = collectionOf(database, collectionName).aggregate(command.pipeline as Doc[]);
        return cursorReply(ns, docs, (command.cursor as Doc | undefined)?.batchSize as number | undefined);
      }
      case 'getMore': {
        const id = String(command.getMore);
        const cursor = cursors.get(id);
        if (!cursor) throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
        const size = typeof command.batchSize === 'number' && command.batchSize > 0 ? command.batchSize : cursor.docs.length;
        const batch = cursor.docs.splice(0, size);
        const done = cursor.docs.length === 0;
        if (done) cursors.delete(id);
        return { cursor: { nextBatch: batch, id: done ? Long.ZERO : Long.fromString(id), ns: cursor.ns }, ok: 1 };
      }
      case 'killCursors': {
        const ids = ((command.cursors as unknown[]) ?? []).map(String);
        for (const id of ids) cursors.delete(id);
        return { cursorsKilled: ids.map((id) => Long.fromString(id)), cursorsNotFound: [], cursorsAlive: [], cursorsUnknown: [], ok: 1 };
      }
      case 'count': {
        const docs = collectionOf(database, collectionName).find((command.query as Doc) ?? {}, { skip: command.skip as number, limit: command.limit as number });
        return { n: docs.length, ok: 1 };
      }
      case 'insert': {
        const collection = collectionOf(database, collectionName);
        const writeErrors: Doc[] = [];
        let n = 0;
        for (const [index, document] of ((command.documents as Doc[]) ?? []).entries()) {
          try {
            collection.insert(document);
            n += 1;
          } catch (error) {
            writeErrors.push({ index, ...writeErrorOf(error) });
            if (command.ordered !== false) break;
          }
        }
        return { n, ...(writeErrors.length > 0 ? { writeErrors } : {}), ok: 1 };
      }
      case 'update': {
        const collection = collectionOf(database, collectionName);
        const writeErrors: Doc[] = [];
        const upserted: Doc[] = [];
        let n = 0;
        let nModified = 0;
        for (const [index, statement] of ((command.updates as Doc[]) ?? []).entries()) {
          try {
            const filter = (statement.q as Doc) ?? {};
            const result = collection.update(filter, asUpdate(collection, filter, statement.u as Doc), { many: statement.multi === true, upsert: statement.upsert === true });
            if ('upsertedId' in result && result.upsertedId !== undefined) {
              upserted.push({ index, _id: result.upsertedId });
              n += 1;
            } else {
              n += result.matchedCount;
              nModified += result.modifiedCount;
            }
          } catch (error) {
            writeErrors.push({ index, ...writeErrorOf(error) });
            if (command.ordered !== false) break;
          }
        }
        return { n, nModified, ...(upserted.length > 0 ? { upserted } : {}), ...(writeErrors.length > 0 ? { writeErrors } : {}), ok: 1 };
      }
      case 'delete': {
        const collection = collectionOf(database, collectionName);
        let n = 0;
        for (const statement of (command.deletes as Doc[]) ?? []) n += collection.delete((statement.q as Doc) ?? {}, statement.limit !== 1);
        return { n, ok: 1 };
      }
      case 'findAndModify':
        return findAndModify(collectionOf(database, collectionName), command);
      case 'createIndexes':
        return createIndexes(database, collectionName, (command.indexes as Doc[]) ?? []);
      case 'listIndexes':
        return cursorReply(ns, indexesOf(database, collectionName).map((spec) => ({ v: 2, ...spec })), undefined);
      case 'collMod': {
        const change = command.index as { keyPattern?: Doc; name?: string; expireAfterSeconds?: number } | undefined;
        const spec = indexesOf(database, collectionName).find((item) => (change?.name ? item.name === change.name : JSON.stringify(item.key) === JSON.stringify(change?.keyPattern)));
        if (!spec) throw new CommandError(27, 'IndexNotFound', 'cannot find index for collMod');
        const old = spec.expireAfterSeconds;
        if (change?.expireAfterSeconds !== undefined) spec.expireAfterSeconds = change.expireAfterSeconds;
        return { expireAfterSeconds_old: old, expireAfterSeconds_new: spec.expireAfterSeconds, ok: 1 };
      }
      default:
        throw new CommandError(59, 'CommandNotFound', `no such command: '${name}'`);
    }
  }

  function writeErrorOf(error: unknown): Doc {
    if (error instanceof DataApiError && error.errorCode === 'DuplicateKey') return duplicateError(error);
    if (error instanceof DataApiError) return { code: 2, codeName: 'BadValue', errmsg: error.message };
    throw error;
  }

  function findAndModify(collection: Collection, command: Doc): Doc {
    const query = (command.query as Doc) ?? {};
    const [found] = mingoFind(collection.docs, query).sort((command.sort as Record<string, 1 | -1>) ?? {}).limit(1).all() as Doc[];
    if (command.remove === true) {
      if (found) collection.delete({ _id: found._id }, false);
      return { lastErrorObject: { n: found ? 1 : 0 }, value: found ?? null, ok: 1 };
    }
    try {
      if (!found) {
        if (command.upsert !== true) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
        const result = collection.update(query, command.update as Doc, { many: false, upsert: true });
        const created = 'upsertedId' in result ? collection.find({ _id: result.upsertedId })[0] : undefined;
        return { lastErrorObject: { n: 1, updatedExisting: false, upserted: result.upsertedId }, value: command.new === true ? (created ?? null) : null, ok: 1 };
      }
      collection.update({ _id: found._id }, command.update as Doc, { many: false, upsert: false });
      const after = collection.find({ _id: found._id })[0];
      return { lastErrorObject: { n: 1, updatedExisting: true }, value: command.new === true ? (after ?? null) : found, ok: 1 };
    } catch (error) {
      if (error instanceof DataApiError && error.errorCode === 'DuplicateKey') {
        const dup = duplicateError(error);
        throw Object.assign(new CommandError(11000, 'DuplicateKey', dup.errmsg), { extra: { keyPattern: dup.keyPattern, keyValue: dup.keyValue } });
      }
      throw error;
    }
  }

  function createIndexes(database: string, collectionName: string, wanted: Doc[]): Doc {
    const list = indexesOf(database, collectionName);
    const before = list.length;
    const collection = collectionOf(database, collectionName);
    for (const raw of wanted) {
      const key = raw.key as Doc;
      const name = typeof raw.name === 'string' ? raw.name : Object.entries(key).map(([field, order]) => `${field}_${String(order)}`).join('_');
      const spec: IndexSpec = { name, key, ...(raw.unique === true ? { unique: true } : {}), ...(typeof raw.expireAfterSeconds === 'number' ? { expireAfterSeconds: raw.expireAfterSeconds } : {}) };
      const existing = list.find((item) => item.name === name || JSON.stringify(item.key) === JSON.stringify(key));
      if (existing) {
        if (existing.unique !== spec.unique || existing.expireAfterSeconds !== spec.expireAfterSeconds) {
          throw new CommandError(85, 'IndexOptionsConflict', `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`);
        }
        continue;
      }
      list.push(spec);
      if (spec.unique) collection.uniqueIndexes.push(Object.keys(key));
    }
    return { numIndexesBefore: before, numIndexesAfter: list.length, createdCollectionAutomatically: before === 1, ok: 1 };
  }

  function errorReply(error: unknown): Doc {
    if (error instanceof CommandError) return { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName, ...((error as { extra?: Doc }).extra ?? {}) };
    if (error instanceof DataApiError) return { ok: 0, errmsg: error.message, code: 2, codeName: 'BadValue' };
    return { ok: 0, errmsg: String(error), code: 1, codeName: 'InternalError' };
  }

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const state: ConnectionState = { authenticated: false };
    const connectionId = ++connectionIds;
    let pending = Buffer.alloc(0);
    let chain = Promise.resolve();
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const length = pending.readInt32LE(0);
        if (pending.length < length) break;
        const message = pending.subarray(0, length);
        pending = pending.subarray(length);
        chain = chain.then(() => handle(socket, message, state, connectionId)).catch(() => {
          socket.destroy();
        });
      }
    });
  });

  async function handle(socket: Socket, message: Buffer, state: ConnectionState, connectionId: number): Promise<void> {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    let command: Doc;
    let legacy = false;
    let moreToCome = false;
    if (opCode === OP_MSG) {
      const flags = message.readUInt32LE(16);
      moreToCome = (flags & 2) !== 0;
      const end = flags & 1 ? message.length - 4 : message.length;
      let offset = 20;
      command = {};
      while (offset < end) {
        const kind = message[offset]!;
        offset += 1;
        if (kind === 0) {
          const size = message.readInt32LE(offset);
          command = { ...BSON.deserialize(message.subarray(offset, offset + size)), ...command };
          offset += size;
        } else {
          const size = message.readInt32LE(offset);
          const sectionEnd = offset + size;
          let cursor = offset + 4;
          const nameEnd = message.indexOf(0, cursor);
          const identifier = message.toString('utf8', cursor, nameEnd);
          cursor = nameEnd + 1;
          const docs: Doc[] = [];
          while (cursor < sectionEnd) {
            const docSize = message.readInt32LE(cursor);
            docs.push(BSON.deserialize(message.subarray(cursor, cursor + docSize)));
            cursor += docSize;
          }
          command[identifier] = docs;
          offset = sectionEnd;
        }
      }
    } else if (opCode === OP_QUERY) {
      legacy = true;
      let offset = 20;
      const nameEnd = message.indexOf(0, offset);
      offset = nameEnd + 1 + 8;
      const size = message.readInt32LE(offset);
      command = BSON.deserialize(message.subarray(offset, offset + size));
      if (command.$query && typeof command.$query === 'object') command = command.$query as Doc;
    } else {
      socket.destroy();
      return;
    }

    const name = Object.keys(command)[0] ?? '';
    const fault = ['hello', 'ismaster', 'isMaster', 'saslStart', 'saslContinue', 'endSessions'].includes(name) ? undefined : takeFault(name);
    if (fault?.mode === 'drop') {
      socket.destroy();
      return;
    }
    if (fault?.mode === 'hang') return;
    if (fault?.mode === 'slow') await new Promise((done) => setTimeout(done, fault.delayMs));

    let reply: Doc;
    try {
      reply = run(command, state, connectionId);
    } catch (error) {
      reply = errorReply(error);
    }
    if (moreToCome || socket.destroyed) return;
    const body = BSON.serialize(reply);
    let frame: Buffer;
    if (legacy) {
      frame = Buffer.alloc(16 + 20 + body.length);
      frame.writeInt32LE(frame.length, 0);
      frame.writeInt32LE(requestId + 1_000_000, 4);
      frame.writeInt32LE(requestId, 8);
      frame.writeInt32LE(OP_REPLY, 12);
      frame.writeInt32LE(0, 16);
      frame.writeBigInt64LE(0n, 20);
      frame.writeInt32LE(0, 28);
      frame.writeInt32LE(1, 32);
      Buffer.from(body).copy(frame, 36);
    } else {
      frame = Buffer.alloc(16 + 4 + 1 + body.length);
      frame.writeInt32LE(frame.length, 0);
      frame.writeInt32LE(requestId + 1_000_000, 4);
      frame.writeInt32LE(requestId, 8);
      frame.writeInt32LE(OP_MSG, 12);
      frame.writeUInt32LE(0, 16);
      frame.writeUInt8(0, 20);
      Buffer.from(body).copy(frame, 21);
    }
    socket.write(frame);
  }

  const control = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://control.test');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Doc) : {};
    const json = (value: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(typeof value === 'string' ? value : JSON.stringify(value));
    };
    const database = url.searchParams.get('database') ?? (body.database as string | undefined);
    switch (url.pathname) {
      case '/__control/fault': {
        if (body.mode === 'none') faults = [];
        else faults.push({ mode: body.mode as Fault['mode'], commands: body.commands as string[] | undefined, remaining: Number(body.times ?? Number.POSITIVE_INFINITY), delayMs: Number(body.delayMs ?? 0) });
        return json({ ok: true });
      }
      case '/__control/reset':
        engine.reset(database);
        for (const key of [...indexes.keys()]) if (!database || key.startsWith(`${database}.`)) indexes.delete(key);
        calls = database ? calls.filter((call) => call.database !== database) : [];
        return json({ ok: true });
      case '/__control/calls':
        return json({ calls: calls.filter((call) => !database || call.database === database) });
      case '/__control/indexes':
        return json({ indexes: indexesOf(database ?? '', url.searchParams.get('collection') ?? '') });
      case '/__control/dump':
        return json(`{"documents":${EJSON.stringify(engine.dump(database ?? '', url.searchParams.get('collection') ?? ''), { relaxed: false })}}`);
      case '/__control/connections':
        for (const socket of sockets) socket.destroy();
        return json({ ok: true });
      default:
        res.writeHead(404).end();
    }
  });

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  await new Promise<void>((done) => control.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  const controlPort = (control.address() as AddressInfo).port;
  const uriWith = (secret: string) => `mongodb://${encodeURIComponent(username)}:${encodeURIComponent(secret)}@127.0.0.1:${port}/?directConnection=true&authSource=admin`;
  return {
    uri: uriWith(password),
    wrongPasswordUri: uriWith(`${password}-wrong`),
    port,
    username,
    password,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => server.close(() => done()));
      await new Promise<void>((done) => control.close(() => done()));
    },
  };
}

/** A replacement document (no operators; replaceOne) as the $set / $unset that makes the match equal to it. */
function asUpdate(collection: Collection, filter: Doc, update: Doc): Doc {
  if (Object.keys(update).some((key) => key.startsWith('$'))) return update;
  const [current] = collection.find(filter, { limit: 1 });
  const { _id: _ignored, ...fields } = update;
  const unset = current ? Object.keys(current).filter((key) => key !== '_id' && !(key in fields)) : [];
  return { $set: fields, ...(unset.length > 0 ? { $unset: Object.fromEntries(unset.map((key) => [key, ''])) } : {}) };
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function payloadText(payload: unknown): string {
  if (payload instanceof Binary) return Buffer.from(payload.buffer).toString('utf8');
  if (payload instanceof Uint8Array) return Buffer.from(payload).toString('utf8');
  return String(payload ?? '');
}

function parseScram(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return fields;
}

function authFailed(): CommandError {
  return new CommandError(18, 'AuthenticationFailed', 'Authentication failed.');
}
