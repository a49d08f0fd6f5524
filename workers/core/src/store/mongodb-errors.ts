import { AppError, isAppError } from '../errors';

/**
 * The official driver's errors as the store's codes. Driver messages can
 * carry a host, a document's key values (a key hash in an E11000 message) or
 * a fragment of the connection string, so none is passed on: the message is
 * written here from the error's class and code, naming the cause only.
 * Classes are told apart by name so that this file needs no driver import.
 */

interface DriverError {
  name?: string;
  code?: unknown;
  codeName?: unknown;
  message?: string;
  cause?: unknown;
  reason?: unknown;
  errorResponse?: unknown;
  writeErrors?: unknown;
}

const AUTH_FAILED = 18;
const DUPLICATE_KEY = 11000;

/** The error and everything it wraps (cause, a server selection's reason, write errors). */
function* chain(error: unknown, depth = 0): Generator<DriverError> {
  if (depth > 6 || error === null || typeof error !== 'object') return;
  const current = error as DriverError;
  yield current;
  yield* chain(current.cause, depth + 1);
  // A bulk write (insertMany) wraps what stopped it, a dropped connection say, as its errorResponse.
  if (current.errorResponse !== error) yield* chain(current.errorResponse, depth + 1);
  const reason = current.reason as { error?: unknown; servers?: Map<string, { error?: unknown }> } | undefined;
  if (reason && typeof reason === 'object') {
    yield* chain(reason.error, depth + 1);
    if (reason.servers instanceof Map) for (const server of reason.servers.values()) yield* chain(server?.error, depth + 1);
  }
  if (Array.isArray(current.writeErrors)) for (const item of current.writeErrors) yield* chain(item, depth + 1);
}

const codeOf = (error: DriverError) => (typeof error.code === 'number' ? error.code : undefined);

function isAuthFailure(error: DriverError): boolean {
  return codeOf(error) === AUTH_FAILED || error.codeName === 'AuthenticationFailed' || /^Authentication failed/i.test(error.message ?? '');
}

/** What kept the driver from a server, in words that hold no address or credential. */
function connectionCause(errors: DriverError[]): string {
  const text = errors.map((error) => `${error.name ?? ''} ${String(error.code ?? '')} ${error.message ?? ''}`).join(' ');
  if (/ECONNREFUSED|connection refused/i.test(text)) return 'connection refused';
  if (/ENOTFOUND|EAI_AGAIN|querySrv|queryTxt|DNS/i.test(text)) return 'DNS lookup of the cluster failed';
  if (/certificate|TLS|SSL|handshake/i.test(text)) return 'TLS handshake failed';
  if (/ECONNRESET|closed|socket hang up|EPIPE/i.test(text)) return 'connection closed by the server';
  if (/timed? ?out|ETIMEDOUT/i.test(text)) return 'timed out';
  return 'no server answered';
}

/** `where`: the action and collection, e.g. "find on api_keys" (never a filter or a value). */
export function toStoreError(error: unknown, where: string, timeoutMs: number): AppError {
  if (isAppError(error)) return error;
  const errors = [...chain(error)];
  const top = errors[0] ?? {};
  const logDetails = { backend: 'mongodb', where, driver_error: top.name, driver_code: codeOf(top) };

  if (errors.some(isAuthFailure)) {
    return new AppError('store.rejected', `The MongoDB cluster refused the credentials of MONGODB_URI (authentication failed) during ${where}.`, { logDetails });
  }
  if (errors.some((item) => codeOf(item) === DUPLICATE_KEY)) {
    return new AppError('store.conflict', `The metadata store already holds this record (${where}).`, { logDetails });
  }
  const names = new Set(errors.map((item) => item.name));
  if (names.has('MongoParseError') || names.has('MongoInvalidArgumentError') || names.has('MongoMissingDependencyError')) {
    return new AppError('config.invalid', 'Setting MONGODB_URI is not a connection string the MongoDB driver accepts.', { logDetails });
  }
  if (names.has('MongoOperationTimeoutError') || names.has('MongoNetworkTimeoutError')) {
    return new AppError('store.unavailable', `The MongoDB cluster did not answer ${where} within ${timeoutMs} ms.`, { logDetails: { ...logDetails, timedOut: true } });
  }
  if (names.has('MongoServerSelectionError') || names.has('MongoTopologyClosedError')) {
    return new AppError('store.unavailable', `No MongoDB server could be reached for ${where} within ${timeoutMs} ms (${connectionCause(errors)}).`, { logDetails });
  }
  if ([...names].some((name) => name === 'MongoNetworkError' || name === 'MongoPoolClearedError')) {
    return new AppError('store.unavailable', `The connection to the MongoDB cluster was lost during ${where} (${connectionCause(errors)}).`, { logDetails });
  }
  const serverCode = errors.find((item) => typeof item.codeName === 'string')?.codeName;
  if (names.has('MongoServerError') || names.has('MongoBulkWriteError') || names.has('MongoWriteConcernError')) {
    const named = typeof serverCode === 'string' && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(serverCode) ? ` (${serverCode})` : '';
    return new AppError('store.rejected', `The MongoDB cluster rejected ${where}${named}.`, { logDetails });
  }
  return new AppError('store.unavailable', `The MongoDB driver failed ${where} (${top.name ?? 'unknown error'}).`, { logDetails });
}
