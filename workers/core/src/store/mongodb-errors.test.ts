import { describe, expect, it } from 'vitest';
import { toStoreError } from './mongodb-errors';

/** Driver errors as the driver builds them (name, code, wrapped causes), messages quoting what must not leak. */
const driverError = (name: string, message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });
const URI = 'mongodb+srv://svc:p4ss-w0rd-secret@cluster0.example.mongodb.net/';

describe('MongoDB driver errors as store codes', () => {
  it('names the cause in its own words, never the driver message (a connection string, a key hash)', () => {
    const cases = [
      [driverError('MongoServerError', `Authentication failed. ${URI}`, { code: 18, codeName: 'AuthenticationFailed' }), 'store.rejected', /authentication failed/],
      [driverError('MongoServerSelectionError', `connect ECONNREFUSED ${URI}`), 'store.unavailable', /No MongoDB server could be reached for find on api_keys within 3000 ms \(connection refused\)/],
      [driverError('MongoServerSelectionError', 'querySrv ENOTFOUND _mongodb._tcp.cluster0'), 'store.unavailable', /DNS lookup of the cluster failed/],
      [driverError('MongoNetworkTimeoutError', `connection 3 to ${URI} timed out`), 'store.unavailable', /did not answer find on api_keys within 3000 ms/],
      [driverError('MongoBulkWriteError', 'closed', { errorResponse: driverError('MongoNetworkError', `connection to ${URI} closed`) }), 'store.unavailable', /lost during find on api_keys \(connection closed by the server\)/],
      [driverError('MongoServerError', `E11000 duplicate key error collection: db.api_keys index: key_hash_1 dup key: { key_hash: "${'a'.repeat(64)}" }`, { code: 11000 }), 'store.conflict', /already holds this record/],
      [driverError('MongoParseError', `Invalid scheme in ${URI}`), 'config.invalid', /MONGODB_URI is not a connection string/],
      [driverError('MongoServerError', 'not authorized on db to execute command', { code: 13, codeName: 'Unauthorized' }), 'store.rejected', /rejected find on api_keys \(Unauthorized\)/],
    ] as const;
    for (const [error, code, message] of cases) {
      const mapped = toStoreError(error, 'find on api_keys', 3000);
      expect(mapped.code).toBe(code);
      expect(mapped.message).toMatch(message);
      expect(JSON.stringify([mapped.message, mapped.logDetails])).not.toMatch(/p4ss-w0rd-secret|aaaaaaaa|cluster0/);
    }
  });
});
