import type { Db, Document as DriverDocument } from 'mongodb';
import type { Document, MongoDataApi } from './mongo-data-api';
import { toStoreError } from './mongodb-errors';

/**
 * The Data API backend's nine calls answered by the official driver, so that
 * the same Mongo operations (mongo-keys, mongo-logs, mongo-cache, …) run over
 * either and write the same documents: a key made through one Mongo backend
 * works through the other. Every driver error becomes a store.* AppError.
 */
export function createDriverApi(db: Db, timeoutMs: number): MongoDataApi {
  const collection = (name: string) => db.collection<DriverDocument>(name);

  async function guarded<T>(action: string, name: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toStoreError(error, `${action} on ${name}`, timeoutMs);
    }
  }

  return {
    findOne: (name, filter, projection) =>
      guarded('findOne', name, async () => (await collection(name).findOne(filter, projection ? { projection } : {})) as Document | null),
    find: (name, options) =>
      guarded('find', name, async () => {
        const cursor = collection(name).find(options.filter ?? {}, {
          ...(options.projection ? { projection: options.projection } : {}),
          ...(options.sort ? { sort: options.sort as Record<string, 1 | -1> } : {}),
          ...(options.skip ? { skip: options.skip } : {}),
          ...(options.limit ? { limit: options.limit } : {}),
        });
        return (await cursor.toArray()) as Document[];
      }),
    aggregate: (name, pipeline) => guarded('aggregate', name, async () => (await collection(name).aggregate(pipeline).toArray()) as Document[]),
    insertOne: (name, document) => guarded('insert', name, async () => (await collection(name).insertOne(document)).insertedId),
    insertMany: (name, documents) =>
      guarded('insert', name, async () => {
        const { insertedIds } = await collection(name).insertMany(documents, { ordered: true });
        return documents.map((_document, index) => insertedIds[index]);
      }),
    updateOne: (name, filter, update, options = {}) =>
      guarded('update', name, async () => {
        const result = await collection(name).updateOne(filter, update, { upsert: options.upsert === true });
        // The driver says null where the Data API left the field out; the operations test for undefined.
        return {
          matchedCount: result.matchedCount,
          modifiedCount: result.modifiedCount,
          ...(result.upsertedId === null || result.upsertedId === undefined ? {} : { upsertedId: result.upsertedId }),
        };
      }),
    updateMany: (name, filter, update) =>
      guarded('update', name, async () => {
        const result = await collection(name).updateMany(filter, update);
        return { matchedCount: result.matchedCount, modifiedCount: result.modifiedCount };
      }),
    deleteOne: (name, filter) => guarded('delete', name, async () => (await collection(name).deleteOne(filter)).deletedCount),
    deleteMany: (name, filter) => guarded('delete', name, async () => (await collection(name).deleteMany(filter)).deletedCount),
  };
}
