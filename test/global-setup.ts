import type { TestProject } from 'vitest/node';
import { startMongoDataApi } from './servers/mongo-data-api';
import { startMongoWireServer } from './servers/mongo-wire';
import { startPoTokenProvider } from './servers/po-token-provider';
import { startTelegramBotApi } from './servers/telegram-bot-api';
import { startYouTubeUpstream } from './servers/youtube-upstream';
import { startTestRelay } from './servers/relay';

/**
 * Starts the test servers (in Node, on loopback) that stand in for YouTube,
 * googlevideo, fallback instances, Telegram and the Mongo Data API, and hands
 * their addresses to the Workers under test through `inject`.
 */
export default async function setup(project: TestProject) {
  const youtube = await startYouTubeUpstream();
  // The operator's own PO token provider (bgutil protocol), reached directly, not through UPSTREAM_ORIGINS.
  const poTokenProvider = await startPoTokenProvider();
  project.provide('poTokenProviderUrl', poTokenProvider.url);
  // Telegram's own Bot API (reached as api.telegram.org), and a local Bot API server without its limits.
  const telegram = await startTelegramBotApi();
  const telegramLocal = await startTelegramBotApi({ local: true });
  const upstreamOrigins: Record<string, string> = {
    'www.youtube.com': youtube.url,
    'm.youtube.com': youtube.url,
    'music.youtube.com': youtube.url,
    'youtubei.googleapis.com': youtube.url,
    '*.googlevideo.com': youtube.url,
    '*.ytimg.com': youtube.url,
    'invidious.test': youtube.url,
    'piped.test': youtube.url,
    'api.telegram.org': telegram.url,
  };
  // The egress relay (relay/) in front of the same stand-in, for the tests that route through it.
  const relay = await startTestRelay(youtube.url);
  project.provide('relayUrl', relay.url);
  project.provide('relaySecret', relay.secret);
  project.provide('upstreamUrl', youtube.url);
  project.provide('upstreamOrigins', upstreamOrigins);
  project.provide('telegramUrl', telegram.url);
  project.provide('telegramLocalUrl', telegramLocal.url);
  const mongo = await startMongoDataApi();
  project.provide('mongoUrl', mongo.url);
  project.provide('mongoApiKey', mongo.apiKey);
  // A MongoDB wire-protocol server: the official driver (METADATA_STORE=mongodb) reaches it over TCP.
  const mongoWire = await startMongoWireServer();
  project.provide('mongodbUri', mongoWire.uri);
  project.provide('mongodbWrongPasswordUri', mongoWire.wrongPasswordUri);
  project.provide('mongodbControlUrl', mongoWire.controlUrl);
  return async () => {
    await relay.close();
    await youtube.close();
    await poTokenProvider.close();
    await telegram.close();
    await telegramLocal.close();
    await mongo.close();
    await mongoWire.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    upstreamUrl: string;
    poTokenProviderUrl: string;
    upstreamOrigins: Record<string, string>;
    relayUrl: string;
    relaySecret: string;
    telegramUrl: string;
    telegramLocalUrl: string;
    mongoUrl: string;
    mongoApiKey: string;
    mongodbUri: string;
    mongodbWrongPasswordUri: string;
    mongodbControlUrl: string;
  }
}
