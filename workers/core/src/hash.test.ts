import { describe, expect, it } from 'vitest';
import { sha256Hex, toHex } from './hash';

describe('hash', () => {
  it('sha256Hex gives the standard SHA-256 digest in lowercase hex', async () => {
    // FIPS 180-2's test vector for "abc".
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('toHex keeps leading zeros of every byte', () => {
    expect(toHex(new Uint8Array([0, 1, 15, 16, 255]))).toBe('00010f10ff');
  });
});
