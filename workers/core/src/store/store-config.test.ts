import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger';
import { createOutbound } from '../outbound/http';
import { createMetadataStore } from './index';
import { loadStoreConfig, logRetentionCutoff } from './store-config';

const logger = createLogger({ level: 'error', format: 'json', sink: () => {} });
const deps = { logger, outbound: createOutbound({ upstreamOrigins: {}, timeoutMs: 1000, logger }) };

describe('store settings', () => {
  it('defaults to D1 with the documented values', () => {
    expect(loadStoreConfig({})).toEqual({
      METADATA_STORE: 'd1',
      MONGO_DATA_SOURCE: 'Cluster0',
      MONGO_DATABASE: 'yt_music_api',
      MONGO_AUTH: 'api-key',
      MONGO_TIMEOUT_MS: 3000,
      LOG_RETENTION_DAYS: 90,
    });
    expect(logRetentionCutoff(loadStoreConfig({ LOG_RETENTION_DAYS: '1' }), new Date(86_400_000 * 2))).toEqual(new Date(86_400_000));
  });

  it('requires the Data API URL and key when Mongo is chosen', () => {
    expect(() => loadStoreConfig({ METADATA_STORE: 'mongo', MONGO_DATA_API_KEY: 'k'.repeat(20) })).toThrow(
      expect.objectContaining({ code: 'config.invalid', message: 'Setting MONGO_DATA_API_URL is required when METADATA_STORE=mongo.' }),
    );
    expect(() => loadStoreConfig({ METADATA_STORE: 'mongo', MONGO_DATA_API_URL: 'https://data.example/v1' })).toThrow(
      expect.objectContaining({ message: 'Setting MONGO_DATA_API_KEY is required when METADATA_STORE=mongo.' }),
    );
  });

  it('names a bad setting without echoing its value', () => {
    const secret = 'ftp://user:supersecretpassword@example';
    let message = '';
    try {
      loadStoreConfig({ METADATA_STORE: 'mongo', MONGO_DATA_API_URL: secret, MONGO_DATA_API_KEY: 'x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Setting MONGO_DATA_API_URL /);
    expect(message).not.toContain('supersecretpassword');
    expect(() => loadStoreConfig({ MONGO_AUTH: 'basic' })).toThrow(expect.objectContaining({ code: 'config.invalid' }));
    expect(() => loadStoreConfig({ METADATA_STORE: 'postgres' })).toThrow(expect.objectContaining({ code: 'config.invalid' }));
  });

  it('picks the backend the settings name', () => {
    const mongo = createMetadataStore(
      { METADATA_STORE: 'mongo', MONGO_DATA_API_URL: 'https://data.example/v1', MONGO_DATA_API_KEY: 'key-123456' },
      deps,
    );
    expect(mongo.backend).toBe('mongo');
    expect(() => createMetadataStore({}, deps)).toThrow(expect.objectContaining({ code: 'config.invalid', message: expect.stringContaining('DB') }));
  });
});
