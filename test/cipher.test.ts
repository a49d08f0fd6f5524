import { describe, expect, it } from 'vitest';
import parity from '../workers/core/src/youtube/evaluator.parity.json';
import { api, apiJson, upstream } from './support/api';

describe('ciphered formats (a WEB-client answer)', () => {
  it('deciphers the signature and n of the chosen format with the QuickJS evaluator, as V8 does', async () => {
    const resolved = await apiJson('/v1/resolve?query=iuevw6218F0&type=video');
    expect(resolved.status).toBe(200);
    expect(resolved.body.title).toBe('Chris Rea - Auberge');
    expect(resolved.body.stream.mime).toMatch(/^video\/mp4/);
    const response = await api(new URL(resolved.body.stream.url).pathname, { headers: { Range: 'bytes=0-99' } });
    expect(response.status).toBe(206);
    expect((await response.arrayBuffer()).byteLength).toBe(100);
    const expected = new URL(parity.decipher.url);
    const call = (await upstream.calls()).find((entry) => entry.path === '/videoplayback' && entry.videoId === expected.searchParams.get('id'));
    expect(call?.sig).toBe(expected.searchParams.get('sig'));
    expect(call?.n).toBe(expected.searchParams.get('n'));
  });
});
