import { describe, expect, it } from 'vitest';
import type { Config } from '../config';
import type { Env } from '../env';
import { createLogger } from '../../../core/src/logging/logger';
import type { MetadataStore } from '../../../core/src/store/types';
import { TelegramCache } from './telegram-cache';

const logger = createLogger({ level: 'error', format: 'json', sink: () => {} });

/** A consumer Worker that never answers (as a hung one would), honouring the caller's abort as a binding does. */
function hungConsumer() {
  const calls: string[] = [];
  const fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(new URL(input instanceof Request ? input.url : String(input)).pathname);
    return new Promise<Response>((_resolve, reject) => {
      const signal = init?.signal;
      if (!signal) return;
      signal.addEventListener('abort', () => reject(signal.reason));
    });
  };
  return { calls, binding: { fetch } as unknown as Fetcher };
}

function cacheWith(binding: Fetcher) {
  const env = { TELEGRAM_CACHE: binding, CACHE_QUEUE: {} } as unknown as Env;
  const config = { TELEGRAM_CACHE_ENABLED: true, UPSTREAM_TIMEOUT_MS: 50, CACHE_RETRY_COOLDOWN_SECONDS: 600 } as Config;
  return new TelegramCache({ env, config, store: () => ({}) as MetadataStore, logger });
}

describe('TelegramCache and the consumer service binding', () => {
  it('shares one status probe among concurrent requests, and gives up on a hung consumer', async () => {
    const { calls, binding } = hungConsumer();
    const answers = await Promise.all(Array.from({ length: 20 }, () => cacheWith(binding).enabled()));
    expect(answers).toEqual(Array(20).fill(false));
    expect(calls).toEqual(['/status']);
  });

  it('gives up on a cached file the consumer does not start to serve', async () => {
    const { binding } = hungConsumer();
    await expect(cacheWith(binding).fetchFile('file-1', 'GET', null)).rejects.toThrow(/did not answer within 50 ms/);
  });

  it('keeps streaming a file whose answer came in time', async () => {
    const body = new ReadableStream({
      async start(controller) {
        controller.enqueue(new Uint8Array(10));
        await new Promise((resolve) => setTimeout(resolve, 120));
        controller.enqueue(new Uint8Array(10));
        controller.close();
      },
    });
    const binding = { fetch: async () => new Response(body, { status: 200 }) } as unknown as Fetcher;
    const response = await cacheWith(binding).fetchFile('file-2', 'GET', null);
    expect((await response.arrayBuffer()).byteLength).toBe(20);
  });
});
