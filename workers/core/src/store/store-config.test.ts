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
      expect.objectContaining({ code: 'config.invalid', message: 'Setting MONGO_DATA_API_URL is required when METADATA_STORE=mongo-data-api.' }),
    );
    expect(() => loadStoreConfig({ METADATA_STORE: 'mongo', MONGO_DATA_API_URL: 'https://data.example/v1' })).toThrow(
      expect.objectContaining({ message: 'Setting MONGO_DATA_API_KEY is required when METADATA_STORE=mongo-data-api.' }),
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

  it('reads METADATA_STORE=mongo as mongo-data-api, and warns once that the name changed', () => {
    const lines: string[] = [];
    const warnLogger = createLogger({ level: 'warn', format: 'json', sink: (line) => lines.push(line) });
    const env = { METADATA_STORE: 'mongo', MONGO_DATA_API_URL: 'https://data.example/v1', MONGO_DATA_API_KEY: 'key-123456' };
    expect(loadStoreConfig(env).METADATA_STORE).toBe('mongo-data-api');
    createMetadataStore(env, { ...deps, logger: warnLogger });
    createMetadataStore(env, { ...deps, logger: warnLogger });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('METADATA_STORE=mongo-data-api');
    expect(createMetadataStore({ ...env, METADATA_STORE: 'mongo-data-api' }, { ...deps, logger: warnLogger }).backend).toBe('mongo');
    expect(lines).toHaveLength(1);
  });

  it('needs MONGODB_URI (mongodb:// or mongodb+srv://) and the MONGODB_STORE binding for METADATA_STORE=mongodb, never echoing the string', () => {
    expect(() => loadStoreConfig({ METADATA_STORE: 'mongodb' })).toThrow(
      expect.objectContaining({ code: 'config.invalid', message: 'Setting MONGODB_URI is required when METADATA_STORE=mongodb.' }),
    );
    let message = '';
    try {
      loadStoreConfig({ METADATA_STORE: 'mongodb', MONGODB_URI: 'postgres://admin:hunter2-secret@db.example' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^Setting MONGODB_URI /);
    expect(message).not.toContain('hunter2-secret');
    for (const uri of ['mongodb://u:p@127.0.0.1:27017/?directConnection=true', 'mongodb+srv://u:p@cluster0.example.mongodb.net/?retryWrites=true']) {
      expect(loadStoreConfig({ METADATA_STORE: 'mongodb', MONGODB_URI: uri, MONGODB_LOCATION_HINT: 'weur' })).toMatchObject({ METADATA_STORE: 'mongodb', MONGODB_LOCATION_HINT: 'weur' });
    }
    expect(() => loadStoreConfig({ METADATA_STORE: 'mongodb', MONGODB_URI: 'mongodb://h', MONGODB_LOCATION_HINT: 'mars' })).toThrow(expect.objectContaining({ code: 'config.invalid' }));
    expect(() => createMetadataStore({ METADATA_STORE: 'mongodb', MONGODB_URI: 'mongodb://h' }, deps)).toThrow(
      expect.objectContaining({ code: 'config.invalid', message: expect.stringContaining('MONGODB_STORE') }),
    );
  });
});
