import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument, servedOperations } from '../../scripts/openapi-document';

// In Node: the validator reads the OpenAPI meta-schemas from disk, which workerd cannot.
describe('the OpenAPI description', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const document = await openApiDocument();
    expect(document.openapi).toBe('3.1.0');
    const result = await new Validator().validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('names every route the app serves, with its key scheme', async () => {
    const document = await openApiDocument();
    const described = Object.entries(document.paths ?? {}).flatMap(([path, operations]) =>
      Object.keys(operations ?? {}).map((method) => `${method} ${path}`),
    );
    const missing = (await servedOperations()).filter((operation) => operation !== 'get /openapi.json' && !described.includes(operation));
    expect(missing).toEqual([]);
    // The bots' own paths, as they call them: SHUKLA's /download/audio and /download/video, the stream and file links.
    for (const path of ['/download/audio', '/download/video', '/stream/{token}', '/stream/{token}/hls/{encoded}', '/file/{token}']) {
      expect(document.paths?.[path]?.get, path).toBeDefined();
    }
    expect(document.paths?.['/download/audio']?.get?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'video_id', in: 'query' })]));
    const resolve = document.paths?.['/v1/resolve']?.get;
    expect(resolve?.security).toEqual(expect.arrayContaining([{ apiKeyHeader: [] }]));
    expect(resolve?.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'query', in: 'query' })]));
    expect(Object.keys(document.components?.securitySchemes ?? {})).toEqual(expect.arrayContaining(['apiKeyHeader', 'bearer', 'apiKeyQuery', 'adminKey']));
  });
});
