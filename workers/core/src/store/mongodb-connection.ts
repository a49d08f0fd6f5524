import { DurableObject } from 'cloudflare:workers';
import type { Db, MongoClient, MongoClientOptions } from 'mongodb';
import { z } from 'zod';
import { toAppError, type ErrorCode } from '../errors';
import { createLogger, type Logger } from '../logging/logger';
import { LogSettingsShape, parseSettings, secretValuesOf } from '../settings';
import { createDriverApi } from './mongodb-api';
import { toStoreError } from './mongodb-errors';
import { ensureIndexes } from './mongodb-indexes';
import { createMongoStore } from './mongo-store';
import type { MetadataStore, PingResult } from './types';

/**
 * The Durable Object that holds the MongoClient (METADATA_STORE=mongodb).
 * Cloudflare's MongoDB guide: a client per request pays ~300 ms of TCP, TLS
 * and SCRAM each time, and a module-scope client shared by requests hangs
 * ("Cannot perform I/O on behalf of a different request"); a Durable Object
 * keeps one client and its pool across requests. Each Worker has one object
 * (named by mongodbObjectName in mongodb-store.ts), placed by MONGODB_LOCATION_HINT near the cluster.
 *
 * Every MetadataStore operation is an RPC method here. Answers come back as
 * an Outcome rather than a thrown error: RPC would keep an error's message but
 * not its store.* code.
 */
/**
 * Pool: at most 3 connections to the primary, none kept open when idle for a
 * minute, and polling monitors (no extra streaming socket per server), so a
 * three-node replica set stays within Workers' 6 simultaneous connections.
 */
const POOL = { maxPoolSize: 3, minPoolSize: 0, maxIdleTimeMS: 60_000, serverMonitoringMode: 'poll' } as const;
const INDEX_RETRY_MS = 60_000;
/**
 * An open client keeps the driver's timers running (its monitor's heartbeat every 10 s, the pool's
 * pruning), and a Durable Object that holds timers cannot hibernate: Cloudflare bills it for every
 * second it stays in memory, about $4 a month held around the clock, and on the Free plan two such
 * objects (the API's and the consumer's) would take 21,600 of its 13,000 GB-s a day. So the client
 * is closed after a minute without a call; the pool drops its idle connections after that same
 * minute anyway, so the next call reconnects either way.
 */
export const IDLE_CLOSE_MS = 60_000;

export type StoreOperation = Exclude<keyof MetadataStore, 'backend' | 'ping'>;
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };
type Args<K extends StoreOperation> = Parameters<MetadataStore[K]>;
type Answer<K extends StoreOperation> = Promise<Outcome<Awaited<ReturnType<MetadataStore[K]>>>>;

/**
 * What to connect to, sent with every call by the Worker that read its
 * settings (the object's own env may be another Worker's). A different
 * target closes the held client and opens one to it.
 */
export interface ConnectionTarget {
  uri: string;
  database: string;
  timeoutMs: number;
  logRetentionDays: number;
}

interface Connection {
  target: string;
  client: MongoClient;
  db: Db;
  store: MetadataStore;
}

export class MongoStoreConnection extends DurableObject<Record<string, unknown>> {
  private connection: Promise<Connection> | undefined;
  private indexesDueAt = 0;
  private readonly idleCloseMs: number = IDLE_CLOSE_MS;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private callsInFlight = 0;
  private lastCallAt = 0;
  private readonly logger: Logger;

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env);
    const logSettings = parseSettings(z.object(LogSettingsShape), env);
    this.logger = createLogger({ level: logSettings.LOG_LEVEL, format: logSettings.LOG_FORMAT, secrets: secretValuesOf(env) }, { object: 'MongoStoreConnection' });
  }

  private async openClient(target: ConnectionTarget): Promise<Connection> {
    const { timeoutMs } = target;
    // Loaded here, not at the module's top: the driver stays out of every isolate that never talks to Mongo.
    const { MongoClient } = await import('mongodb');
    let client: MongoClient;
    try {
      client = new MongoClient(target.uri, {
        ...POOL,
        appName: 'yt-music-api',
        serverSelectionTimeoutMS: timeoutMs,
        connectTimeoutMS: timeoutMs,
        // A server that stops answering fails the call after this long (the driver closes that connection).
        socketTimeoutMS: timeoutMs,
        waitQueueTimeoutMS: timeoutMs,
        // The driver's option types lean on Node's tls types, which the Workers' tsconfig leaves out.
      } as unknown as MongoClientOptions);
      await client.connect();
    } catch (error) {
      throw toStoreError(error, 'connecting', timeoutMs);
    }
    const db = client.db(target.database);
    const store = createMongoStore(createDriverApi(db, timeoutMs), 'mongodb');
    return { target: JSON.stringify(target), client, db, store };
  }

  private async open(target: ConnectionTarget): Promise<Connection> {
    const held = this.connection ? await this.connection.catch(() => null) : null;
    if (held && held.target !== JSON.stringify(target)) await this.disconnect();
    this.connection ??= this.openClient(target);
    let connection: Connection;
    try {
      connection = await this.connection;
    } catch (error) {
      // The next call connects afresh (a password fixed, the cluster back).
      this.connection = undefined;
      throw error;
    }
    if (Date.now() >= this.indexesDueAt) {
      this.indexesDueAt = Number.POSITIVE_INFINITY;
      try {
        await ensureIndexes(connection.db, target.logRetentionDays);
      } catch (error) {
        this.indexesDueAt = Date.now() + INDEX_RETRY_MS;
        const failure = toStoreError(error, 'createIndexes', target.timeoutMs);
        this.logger.warn('store.indexes_failed', { code: failure.code, message: failure.message });
      }
    }
    return connection;
  }

  /** Notes a call for the idle close: `work` runs with the client held open. */
  private async inUse<T>(work: () => Promise<T>): Promise<T> {
    this.callsInFlight += 1;
    try {
      return await work();
    } finally {
      this.callsInFlight -= 1;
      this.lastCallAt = Date.now();
      this.idleTimer ??= setTimeout(() => this.closeWhenIdle(), this.idleCloseMs);
    }
  }

  private closeWhenIdle(): void {
    this.idleTimer = undefined;
    if (!this.connection) return;
    const wait = this.lastCallAt + this.idleCloseMs - Date.now();
    if (this.callsInFlight > 0 || wait > 0) {
      this.idleTimer = setTimeout(() => this.closeWhenIdle(), Math.max(wait, 1_000));
      return;
    }
    const connection = this.connection;
    this.connection = undefined;
    // The indexes stay made: the next client of the same target does not create them again.
    void connection.then((held) => held.client.close()).catch(() => undefined);
  }

  private run<K extends StoreOperation>(target: ConnectionTarget, operation: K, args: Args<K>): Answer<K> {
    return this.inUse(() => this.runOnce(target, operation, args));
  }

  private async runOnce<K extends StoreOperation>(target: ConnectionTarget, operation: K, args: Args<K>): Answer<K> {
    try {
      const { store } = await this.open(target);
      const method = store[operation] as (...input: Args<K>) => ReturnType<MetadataStore[K]>;
      return { ok: true, value: await method(...args) };
    } catch (error) {
      const failure = toAppError(error);
      if (failure.code === 'internal') {
        // Not a driver error toStoreError knows: its class name only (its message may quote the connection string).
        this.logger.error('store.failed', { operation, code: failure.code, error: error instanceof Error ? error.name : typeof error });
      } else if (failure.code !== 'request.invalid') {
        this.logger.warn('store.failed', { operation, code: failure.code, message: failure.message, ...failure.logDetails });
      }
      return { ok: false, code: failure.code, message: failure.message };
    }
  }

  /** The cluster's round trip: one `ping` command on an open connection (connecting first is not counted). */
  ping(target: ConnectionTarget): Promise<PingResult> {
    return this.inUse(() => this.pingOnce(target));
  }

  private async pingOnce(target: ConnectionTarget): Promise<PingResult> {
    const started = Date.now();
    try {
      const { db } = await this.open(target);
      const sent = Date.now();
      await db.command({ ping: 1 });
      return { ok: true, backend: 'mongodb', latency_ms: Date.now() - sent };
    } catch (error) {
      const failure = toStoreError(error, 'ping', target.timeoutMs);
      return { ok: false, backend: 'mongodb', latency_ms: Date.now() - started, error: failure.code };
    }
  }

  /** Closes the client (tests; a changed setting). The next call connects again. */
  async disconnect(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.indexesDueAt = 0;
    if (connection) await (await connection.catch(() => null))?.client.close();
  }

  // The MetadataStore operations, as RPC methods (RPC exposes methods of the prototype only).

  createKey(target: ConnectionTarget, ...args: Args<'createKey'>) {
    return this.run(target, 'createKey', args);
  }
  getKeyByHash(target: ConnectionTarget, ...args: Args<'getKeyByHash'>) {
    return this.run(target, 'getKeyByHash', args);
  }
  getKeyById(target: ConnectionTarget, ...args: Args<'getKeyById'>) {
    return this.run(target, 'getKeyById', args);
  }
  listKeys(target: ConnectionTarget, ...args: Args<'listKeys'>) {
    return this.run(target, 'listKeys', args);
  }
  countKeys(target: ConnectionTarget, ...args: Args<'countKeys'>) {
    return this.run(target, 'countKeys', args);
  }
  updateKey(target: ConnectionTarget, ...args: Args<'updateKey'>) {
    return this.run(target, 'updateKey', args);
  }
  deleteKey(target: ConnectionTarget, ...args: Args<'deleteKey'>) {
    return this.run(target, 'deleteKey', args);
  }
  recordKeyUsage(target: ConnectionTarget, ...args: Args<'recordKeyUsage'>) {
    return this.run(target, 'recordKeyUsage', args);
  }
  appendLogs(target: ConnectionTarget, ...args: Args<'appendLogs'>) {
    return this.run(target, 'appendLogs', args);
  }
  requestsOverTime(target: ConnectionTarget, ...args: Args<'requestsOverTime'>) {
    return this.run(target, 'requestsOverTime', args);
  }
  logSummary(target: ConnectionTarget, ...args: Args<'logSummary'>) {
    return this.run(target, 'logSummary', args);
  }
  logOverview(target: ConnectionTarget, ...args: Args<'logOverview'>) {
    return this.run(target, 'logOverview', args);
  }
  requestsByEndpoint(target: ConnectionTarget, ...args: Args<'requestsByEndpoint'>) {
    return this.run(target, 'requestsByEndpoint', args);
  }
  topKeys(target: ConnectionTarget, ...args: Args<'topKeys'>) {
    return this.run(target, 'topKeys', args);
  }
  listLogs(target: ConnectionTarget, ...args: Args<'listLogs'>) {
    return this.run(target, 'listLogs', args);
  }
  deleteLogsBefore(target: ConnectionTarget, ...args: Args<'deleteLogsBefore'>) {
    return this.run(target, 'deleteLogsBefore', args);
  }
  getCacheEntry(target: ConnectionTarget, ...args: Args<'getCacheEntry'>) {
    return this.run(target, 'getCacheEntry', args);
  }
  claimCacheEntry(target: ConnectionTarget, ...args: Args<'claimCacheEntry'>) {
    return this.run(target, 'claimCacheEntry', args);
  }
  startCacheUpload(target: ConnectionTarget, ...args: Args<'startCacheUpload'>) {
    return this.run(target, 'startCacheUpload', args);
  }
  releaseCacheUpload(target: ConnectionTarget, ...args: Args<'releaseCacheUpload'>) {
    return this.run(target, 'releaseCacheUpload', args);
  }
  completeCacheEntry(target: ConnectionTarget, ...args: Args<'completeCacheEntry'>) {
    return this.run(target, 'completeCacheEntry', args);
  }
  failCacheEntry(target: ConnectionTarget, ...args: Args<'failCacheEntry'>) {
    return this.run(target, 'failCacheEntry', args);
  }
  markCacheEntryStale(target: ConnectionTarget, ...args: Args<'markCacheEntryStale'>) {
    return this.run(target, 'markCacheEntryStale', args);
  }
  listCacheEntries(target: ConnectionTarget, ...args: Args<'listCacheEntries'>) {
    return this.run(target, 'listCacheEntries', args);
  }
  deleteExpiredCacheEntries(target: ConnectionTarget, ...args: Args<'deleteExpiredCacheEntries'>) {
    return this.run(target, 'deleteExpiredCacheEntries', args);
  }
  cacheStats(target: ConnectionTarget, ...args: Args<'cacheStats'>) {
    return this.run(target, 'cacheStats', args);
  }
}
