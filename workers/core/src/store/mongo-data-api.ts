import { z } from 'zod';
import { AppError, isAppError } from '../errors';
import type { Logger } from '../logging/logger';
import type { OutboundFetch } from '../outbound/http';
import { EjsonError, parseEjson, stringifyEjson } from './ejson';

/**
 * A client of the MongoDB Data API wire protocol (the retired Atlas Data API,
 * or a self-hosted gateway that speaks it): one POST per action, EJSON both
 * ways, every answer checked against its schema. Errors are typed and name
 * the action and collection only; the API key and document contents (a key
 * hash, say) never reach a message.
 */

export type Document = Record<string, unknown>;

export interface MongoDataApiOptions {
  /** Base URL up to `/action`, e.g. https://…/app/<app-id>/endpoint/data/v1 */
  url: string;
  apiKey: string;
  auth: 'api-key' | 'bearer';
  dataSource: string;
  database: string;
  timeoutMs: number;
  outbound: OutboundFetch;
  logger: Logger;
}

export interface FindOptions {
  filter?: Document;
  projection?: Document;
  sort?: Document;
  limit?: number;
  skip?: number;
}

export interface UpdateResult {
  matchedCount: number;
  modifiedCount: number;
  upsertedId?: unknown;
}

export interface MongoDataApi {
  findOne(collection: string, filter: Document, projection?: Document): Promise<Document | null>;
  find(collection: string, options: FindOptions): Promise<Document[]>;
  aggregate(collection: string, pipeline: Document[]): Promise<Document[]>;
  insertOne(collection: string, document: Document): Promise<unknown>;
  insertMany(collection: string, documents: Document[]): Promise<unknown[]>;
  updateOne(collection: string, filter: Document, update: Document, options?: { upsert?: boolean }): Promise<UpdateResult>;
  updateMany(collection: string, filter: Document, update: Document): Promise<UpdateResult>;
  deleteOne(collection: string, filter: Document): Promise<number>;
  deleteMany(collection: string, filter: Document): Promise<number>;
}

const documentSchema = z.record(z.string(), z.unknown());
const idSchema = z.union([z.string(), z.number()]);
const count = z.number().int().nonnegative();
const answers = {
  findOne: z.object({ document: documentSchema.nullable() }),
  documents: z.object({ documents: z.array(documentSchema) }),
  insertOne: z.object({ insertedId: idSchema }),
  insertMany: z.object({ insertedIds: z.array(idSchema) }),
  update: z.object({ matchedCount: count, modifiedCount: count, upsertedId: idSchema.optional() }),
  delete: z.object({ deletedCount: count }),
};
const errorAnswer = z.object({ error: z.string().optional(), error_code: z.string().optional() });

/** Error codes are echoed only when they look like one (a word), never free text. */
const SAFE_ERROR_CODE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function createMongoDataApi(options: MongoDataApiOptions): MongoDataApi {
  const base = options.url.replace(/\/+$/, '');
  const headers: Record<string, string> = {
    'Content-Type': 'application/ejson',
    Accept: 'application/ejson',
    ...(options.auth === 'bearer' ? { Authorization: `Bearer ${options.apiKey}` } : { 'api-key': options.apiKey }),
  };

  async function once<T>(action: string, collection: string, body: Document, schema: z.ZodType<T>): Promise<T> {
    const where = `${action} on ${collection}`;
    const details = { backend: 'mongo', action, collection };
    const payload = stringifyEjson({ dataSource: options.dataSource, database: options.database, collection, ...body });
    let status: number;
    let text: string;
    try {
      const response = await options.outbound(`${base}/action/${action}`, {
        method: 'POST',
        headers,
        body: payload,
        timeoutMs: options.timeoutMs,
        label: `mongo.${action}`,
      });
      status = response.status;
      // Decoded by hand: workerd warns when .text() meets an application/ejson body.
      text = new TextDecoder().decode(await response.arrayBuffer());
    } catch (error) {
      const timedOut = (isAppError(error) && error.code === 'upstream.timeout') || (error instanceof Error && error.name === 'TimeoutError');
      const message = timedOut
        ? `The metadata store did not answer ${where} within ${options.timeoutMs} ms.`
        : `The metadata store could not be reached for ${where}.`;
      throw new AppError('store.unavailable', message, { cause: error, logDetails: { ...details, timedOut } });
    }

    if (status >= 500) {
      throw new AppError('store.unavailable', `The metadata store failed ${where} (HTTP ${status}).`, { logDetails: { ...details, status } });
    }
    if (status >= 400) {
      const code = errorCodeOf(text);
      if (code === 'DuplicateKey' || /E11000/.test(text)) {
        throw new AppError('store.conflict', `The metadata store already holds this record (${where}).`, { logDetails: { ...details, status } });
      }
      const shown = code ? `, ${code}` : '';
      throw new AppError('store.rejected', `The metadata store rejected ${where} (HTTP ${status}${shown}).`, {
        logDetails: { ...details, status, error_code: code },
      });
    }
    if (status < 200 || status >= 300) {
      throw new AppError('store.invalid_answer', `The metadata store answered ${where} with HTTP ${status}.`, { logDetails: details });
    }

    let decoded: unknown;
    try {
      decoded = parseEjson(text);
    } catch (error) {
      const reason = error instanceof EjsonError ? error.message : 'unreadable';
      throw new AppError('store.invalid_answer', `The metadata store answered ${where} with invalid EJSON (${reason}).`, { logDetails: details });
    }
    const parsed = schema.safeParse(decoded);
    if (!parsed.success) {
      const field = parsed.error.issues[0]?.path.join('.') || '(root)';
      throw new AppError('store.invalid_answer', `The metadata store answered ${where} in an unexpected shape (${field}).`, {
        logDetails: details,
      });
    }
    return parsed.data;
  }

  /** Reads are retried once on a timeout, a 5xx or a garbled answer; writes never (they may have landed). */
  async function call<T>(action: string, collection: string, body: Document, schema: z.ZodType<T>, idempotent: boolean): Promise<T> {
    try {
      return await once(action, collection, body, schema);
    } catch (error) {
      const retryable = isAppError(error) && (error.code === 'store.unavailable' || error.code === 'store.invalid_answer');
      if (!idempotent || !retryable) throw error;
      options.logger.warn('store.retry', { backend: 'mongo', action, collection, code: error.code });
      return once(action, collection, body, schema);
    }
  }

  return {
    findOne: async (collection, filter, projection) =>
      (await call('findOne', collection, { filter, ...(projection ? { projection } : {}) }, answers.findOne, true)).document,
    find: async (collection, find) => (await call('find', collection, { ...find }, answers.documents, true)).documents,
    aggregate: async (collection, pipeline) => (await call('aggregate', collection, { pipeline }, answers.documents, true)).documents,
    insertOne: async (collection, document) => (await call('insertOne', collection, { document }, answers.insertOne, false)).insertedId,
    insertMany: async (collection, documents) =>
      (await call('insertMany', collection, { documents }, answers.insertMany, false)).insertedIds,
    updateOne: (collection, filter, update, updateOptions = {}) =>
      call('updateOne', collection, { filter, update, ...(updateOptions.upsert ? { upsert: true } : {}) }, answers.update, false),
    updateMany: (collection, filter, update) => call('updateMany', collection, { filter, update }, answers.update, false),
    deleteOne: async (collection, filter) => (await call('deleteOne', collection, { filter }, answers.delete, false)).deletedCount,
    deleteMany: async (collection, filter) => (await call('deleteMany', collection, { filter }, answers.delete, false)).deletedCount,
  };
}

function errorCodeOf(text: string): string | undefined {
  try {
    const parsed = errorAnswer.safeParse(JSON.parse(text));
    const code = parsed.success ? parsed.data.error_code : undefined;
    return code && SAFE_ERROR_CODE.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
