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
import { loadStoreConfig } from './store-config';
import type { MetadataStore, PingResult } from './types';

/**
 * The Durable Object that holds the MongoClient (METADATA_STORE=mongodb).
 * Cloudflare's MongoDB guide: a client per request pays ~300 ms of TCP, TLS
 * and SCRAM each time, and a module-scope client shared by requests hangs
 * ("Cannot perform I/O on behalf of a different request"); a Durable Object
 * keeps one client and its pool across requests. Each Worker has one object
 * (named MONGODB_OBJECT_NAME in mongodb-store.ts), placed by MONGODB_LOCATION_HINT near the cluster.
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

export type StoreOperation = Exclude<keyof MetadataStore, 'backend' | 'ping'>;
export type Outcome<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };
type Args<K extends StoreOperation> = Parameters<MetadataStore[K]>;
type Answer<K extends StoreOperation> = Promise<Outcome<Awaited<ReturnType<MetadataStore[K]>>>>;

interface Connection {
  client: MongoClient;
  db: Db;
  store: MetadataStore;
}

export class MongoStoreConnection extends DurableObject<Record<string, unknown>> {
  private connection: Promise<Connection> | undefined;
  private indexesDueAt = 0;
  private readonly logger: Logger;

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env);
    const logSettings = parseSettings(z.object(LogSettingsShape), env);
    this.logger = createLogger({ level: logSettings.LOG_LEVEL, format: logSettings.LOG_FORMAT, secrets: secretValuesOf(env) }, { object: 'MongoStoreConnection' });
  }

  private get settings() {
    return loadStoreConfig(this.env);
  }

  private async openClient(): Promise<Connection> {
    const config = this.settings;
    const timeoutMs = config.MONGO_TIMEOUT_MS;
    // Loaded here, not at the module's top: the driver stays out of every isolate that never talks to Mongo.
    const { MongoClient } = await import('mongodb');
    let client: MongoClient;
    try {
      client = new MongoClient(config.MONGODB_URI ?? '', {
        ...POOL,
        appName: 'yt-music-api',
        serverSelectionTimeoutMS: timeoutMs,
        connectTimeoutMS: timeoutMs,
        timeoutMS: timeoutMs,
        // The driver's option types lean on Node's tls types, which the Workers' tsconfig leaves out.
      } as unknown as MongoClientOptions);
      await client.connect();
    } catch (error) {
      throw toStoreError(error, 'connecting', timeoutMs);
    }
    const db = client.db(config.MONGO_DATABASE);
    const store = createMongoStore(createDriverApi(db, timeoutMs), 'mongodb');
    return { client, db, store };
  }

  private async open(): Promise<Connection> {
    this.connection ??= this.openClient();
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
        await ensureIndexes(connection.db, this.settings.LOG_RETENTION_DAYS);
      } catch (error) {
        this.indexesDueAt = Date.now() + INDEX_RETRY_MS;
        const failure = toStoreError(error, 'createIndexes', this.settings.MONGO_TIMEOUT_MS);
        this.logger.warn('store.indexes_failed', { code: failure.code, message: failure.message });
      }
    }
    return connection;
  }

  private async run<K extends StoreOperation>(operation: K, args: Args<K>): Answer<K> {
    try {
      const { store } = await this.open();
      const method = store[operation] as (...input: Args<K>) => ReturnType<MetadataStore[K]>;
      return { ok: true, value: await method(...args) };
    } catch (error) {
      const failure = toAppError(error);
      if (failure.code.startsWith('store.') || failure.code === 'config.invalid') {
        this.logger.warn('store.failed', { operation, code: failure.code, message: failure.message, ...failure.logDetails });
      }
      return { ok: false, code: failure.code, message: failure.message };
    }
  }

  /** The cluster's round trip: one `ping` command on an open connection (connecting first is not counted). */
  async ping(): Promise<PingResult> {
    const started = Date.now();
    try {
      const { db } = await this.open();
      const sent = Date.now();
      await db.command({ ping: 1 });
      return { ok: true, backend: 'mongodb', latency_ms: Date.now() - sent };
    } catch (error) {
      const failure = toStoreError(error, 'ping', this.settings.MONGO_TIMEOUT_MS);
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

  createKey(...args: Args<'createKey'>) {
    return this.run('createKey', args);
  }
  getKeyByHash(...args: Args<'getKeyByHash'>) {
    return this.run('getKeyByHash', args);
  }
  getKeyById(...args: Args<'getKeyById'>) {
    return this.run('getKeyById', args);
  }
  listKeys(...args: Args<'listKeys'>) {
    return this.run('listKeys', args);
  }
  countKeys(...args: Args<'countKeys'>) {
    return this.run('countKeys', args);
  }
  updateKey(...args: Args<'updateKey'>) {
    return this.run('updateKey', args);
  }
  deleteKey(...args: Args<'deleteKey'>) {
    return this.run('deleteKey', args);
  }
  recordKeyUsage(...args: Args<'recordKeyUsage'>) {
    return this.run('recordKeyUsage', args);
  }
  appendLogs(...args: Args<'appendLogs'>) {
    return this.run('appendLogs', args);
  }
  requestsOverTime(...args: Args<'requestsOverTime'>) {
    return this.run('requestsOverTime', args);
  }
  logSummary(...args: Args<'logSummary'>) {
    return this.run('logSummary', args);
  }
  logOverview(...args: Args<'logOverview'>) {
    return this.run('logOverview', args);
  }
  requestsByEndpoint(...args: Args<'requestsByEndpoint'>) {
    return this.run('requestsByEndpoint', args);
  }
  topKeys(...args: Args<'topKeys'>) {
    return this.run('topKeys', args);
  }
  listLogs(...args: Args<'listLogs'>) {
    return this.run('listLogs', args);
  }
  deleteLogsBefore(...args: Args<'deleteLogsBefore'>) {
    return this.run('deleteLogsBefore', args);
  }
  getCacheEntry(...args: Args<'getCacheEntry'>) {
    return this.run('getCacheEntry', args);
  }
  claimCacheEntry(...args: Args<'claimCacheEntry'>) {
    return this.run('claimCacheEntry', args);
  }
  startCacheUpload(...args: Args<'startCacheUpload'>) {
    return this.run('startCacheUpload', args);
  }
  releaseCacheUpload(...args: Args<'releaseCacheUpload'>) {
    return this.run('releaseCacheUpload', args);
  }
  completeCacheEntry(...args: Args<'completeCacheEntry'>) {
    return this.run('completeCacheEntry', args);
  }
  failCacheEntry(...args: Args<'failCacheEntry'>) {
    return this.run('failCacheEntry', args);
  }
  markCacheEntryStale(...args: Args<'markCacheEntryStale'>) {
    return this.run('markCacheEntryStale', args);
  }
  listCacheEntries(...args: Args<'listCacheEntries'>) {
    return this.run('listCacheEntries', args);
  }
  deleteExpiredCacheEntries(...args: Args<'deleteExpiredCacheEntries'>) {
    return this.run('deleteExpiredCacheEntries', args);
  }
  cacheStats(...args: Args<'cacheStats'>) {
    return this.run('cacheStats', args);
  }
}
