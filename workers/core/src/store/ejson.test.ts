import { describe, expect, it } from 'vitest';
import { decodeEjson, encodeEjson, parseEjson, stringifyEjson } from './ejson';

describe('EJSON codec', () => {
  const when = new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 6));

  it('writes dates canonically and numbers relaxed by default', () => {
    expect(encodeEjson({ at: when, n: 5, list: [when], none: null, gone: undefined })).toEqual({
      at: { $date: { $numberLong: String(when.getTime()) } },
      n: 5,
      list: [{ $date: { $numberLong: String(when.getTime()) } }],
      none: null,
    });
    expect(encodeEjson({ i: 5, l: 2 ** 40, d: 1.5 }, { canonical: true })).toEqual({
      i: { $numberInt: '5' },
      l: { $numberLong: String(2 ** 40) },
      d: { $numberDouble: '1.5' },
    });
    expect(encodeEjson(when, { isoDates: true })).toEqual({ $date: '2030-01-02T03:04:05.006Z' });
  });

  it('reads canonical and relaxed forms alike', () => {
    const canonical = { at: { $date: { $numberLong: String(when.getTime()) } }, n: { $numberInt: '7' }, big: { $numberLong: '9007199254740991' } };
    const relaxed = { at: { $date: '2030-01-02T03:04:05.006Z' }, n: 7, big: 9007199254740991 };
    expect(decodeEjson(canonical)).toEqual({ at: when, n: 7, big: 9007199254740991 });
    expect(decodeEjson(relaxed)).toEqual({ at: when, n: 7, big: 9007199254740991 });
    expect(decodeEjson({ id: { $oid: '65A1B2C3D4E5F60718293A4B' }, x: { $numberDouble: '-Infinity' } })).toEqual({
      id: '65a1b2c3d4e5f60718293a4b',
      x: Number.NEGATIVE_INFINITY,
    });
    expect(parseEjson(stringifyEjson({ at: when }))).toEqual({ at: when });
  });

  it('refuses malformed typed values', () => {
    expect(() => decodeEjson({ $date: 'yesterday' })).toThrow(/Malformed \$date/);
    expect(() => decodeEjson({ $numberInt: '1.5' })).toThrow(/Malformed \$numberInt/);
    expect(() => decodeEjson({ $oid: 'xyz' })).toThrow(/Malformed \$oid/);
    expect(() => parseEjson('<html>')).toThrow(/not JSON/);
  });
});
