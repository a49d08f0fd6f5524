import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('GET /openapi.json', () => {
  it('serves the description without a key, with every route the app serves', async () => {
    const response = await SELF.fetch('http://api.test/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/resolve', '/v1/search', '/stream/{token}', '/admin/keys']));
  });
});
