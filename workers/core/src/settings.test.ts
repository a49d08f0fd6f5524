import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { httpUrl, originString, parseSettings, positiveInt } from './settings';

const schema = z.object({ ROOT: httpUrl.optional(), ORIGIN: originString.optional(), LIMIT: positiveInt.optional() });
const parse = (env: Record<string, string>) => parseSettings(schema, env);

describe('shared setting parsers', () => {
  it('httpUrl keeps an http(s) URL without its trailing slashes; originString keeps its origin', () => {
    expect(parse({ ROOT: 'http://127.0.0.1:8081/bot-api//', ORIGIN: 'https://dash.example/path?q=1' })).toEqual({ ROOT: 'http://127.0.0.1:8081/bot-api', ORIGIN: 'https://dash.example' });
  });

  it('names the setting when a URL is not http(s) or a number is not a positive whole number', () => {
    expect(() => parse({ ROOT: 'ftp://files.example' })).toThrow('Setting ROOT must be an http(s) URL.');
    expect(() => parse({ ORIGIN: 'not a url' })).toThrow('Setting ORIGIN must be an http(s) URL.');
    expect(() => parse({ LIMIT: '0' })).toThrow(/^Setting LIMIT /);
    expect(() => parse({ LIMIT: '1.5' })).toThrow(/^Setting LIMIT /);
  });
});
