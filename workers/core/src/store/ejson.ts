/**
 * A minimal MongoDB Extended JSON codec: dates, 64-bit and 32-bit integers,
 * doubles and ObjectIds, the only BSON types this service stores. The Data
 * API needs EJSON so that dates stay dates (TTL indexes, date ranges).
 */

export class EjsonError extends Error {
  override readonly name = 'EjsonError';
}

export interface EncodeOptions {
  /** Canonical mode: numbers as {$numberInt|$numberLong|$numberDouble}, dates as {$numberLong}. */
  canonical?: boolean;
  /** Relaxed mode writes dates as ISO strings instead of {$numberLong}. */
  isoDates?: boolean;
  /** Encodes values the codec does not know (e.g. an ObjectId class); undefined keeps the value. */
  replace?: (value: unknown) => unknown;
}

export interface DecodeOptions {
  /** Turns `{$oid}` into a value; the hex string by default. */
  objectId?: (hex: string) => unknown;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export function encodeEjson(value: unknown, options: EncodeOptions = {}): unknown {
  const replaced = options.replace?.(value);
  if (replaced !== undefined) return replaced;
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) throw new EjsonError('Cannot encode an invalid date.');
    const year = value.getUTCFullYear();
    if (options.isoDates && year >= 1970 && year <= 9999) return { $date: value.toISOString() };
    return { $date: { $numberLong: String(time) } };
  }
  if (typeof value === 'number') return encodeNumber(value, options.canonical ?? false);
  if (Array.isArray(value)) return value.map((item) => encodeEjson(item, options));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = encodeEjson(item, options);
    }
    return out;
  }
  return value;
}

function encodeNumber(value: number, canonical: boolean): unknown {
  if (!Number.isFinite(value)) return { $numberDouble: Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity' };
  if (!canonical) return value;
  if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return { $numberInt: String(value) };
  if (Number.isSafeInteger(value)) return { $numberLong: String(value) };
  return { $numberDouble: String(value) };
}

export function stringifyEjson(value: unknown, options: EncodeOptions = {}): string {
  return JSON.stringify(encodeEjson(value, options));
}

export function parseEjson(text: string, options: DecodeOptions = {}): unknown {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new EjsonError('The text is not JSON.');
  }
  return decodeEjson(raw, options);
}

export function decodeEjson(value: unknown, options: DecodeOptions = {}): unknown {
  if (Array.isArray(value)) return value.map((item) => decodeEjson(item, options));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const inner = record[key];
    switch (key) {
      case '$date':
        return decodeDate(inner);
      case '$numberInt':
      case '$numberLong':
      case '$numberDouble':
      case '$numberDecimal':
        return decodeNumber(key, inner);
      case '$oid':
        if (typeof inner !== 'string' || !/^[0-9a-f]{24}$/i.test(inner)) throw new EjsonError('Malformed $oid.');
        return options.objectId ? options.objectId(inner.toLowerCase()) : inner.toLowerCase();
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) out[key] = decodeEjson(item, options);
  return out;
}

function decodeDate(inner: unknown): Date {
  let date: Date | undefined;
  if (typeof inner === 'string') date = new Date(inner);
  else if (typeof inner === 'number') date = new Date(inner);
  else if (inner !== null && typeof inner === 'object') {
    const long = (inner as Record<string, unknown>).$numberLong;
    if (typeof long === 'string' && /^-?\d+$/.test(long) && Object.keys(inner).length === 1) date = new Date(Number(long));
  }
  if (!date || Number.isNaN(date.getTime())) throw new EjsonError('Malformed $date.');
  return date;
}

function decodeNumber(kind: string, inner: unknown): number {
  if (typeof inner !== 'string') throw new EjsonError(`Malformed ${kind}.`);
  if (kind === '$numberDouble' && ['NaN', 'Infinity', '-Infinity'].includes(inner)) return Number(inner);
  const pattern = kind === '$numberInt' || kind === '$numberLong' ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  if (!pattern.test(inner)) throw new EjsonError(`Malformed ${kind}.`);
  return Number(inner);
}
