import { describe, expect, it } from 'vitest';
import recording from '../../../../test/fixtures/youtube/player/M4gD1WSo5mA.json';
import { createLogger } from '../logging/logger';
import { createOutbound } from '../outbound/http';
import type { YouTubeClientName } from '../settings';
import type { DecipherInput } from './cipher-solver';
import type { ClientHealth, ClientOutcome } from './client-health';
import { CLIENT_PROFILES } from './clients';
import { Extractor } from './extractor';
import type { PlayerCiphers } from './player-cipher';
import type { PoTokenSource } from './po-token-provider';

/**
 * The chain's contract with client health, PO tokens, cookies and the cipher, against an
 * in-memory InnerTube: each client's answer is chosen by the test.
 */
type Answer = 'plain' | 'ciphered' | 'sabr' | 'bot_check';
const silent = createLogger({ level: 'error', format: 'json', sink: () => {} });

function innertube(answers: Partial<Record<string, Answer>>) {
  const requests: { client: string; body: any; headers: Headers }[] = [];
  const fetch = createOutbound({
    upstreamOrigins: {},
    timeoutMs: 5_000,
    logger: silent,
    transport: async (input, init) => {
      const request = new Request(input, init);
      const body = await request.json<any>();
      const client = body.context.client.clientName as string;
      requests.push({ client, body, headers: request.headers });
      return Response.json(answerOf(answers[client] ?? 'plain'));
    },
  });
  return { fetch, requests };
}

function answerOf(kind: Answer): unknown {
  const body = structuredClone(recording.response.body) as any;
  if (kind === 'bot_check') return { playabilityStatus: { status: 'LOGIN_REQUIRED', reason: 'Sign in to confirm you’re not a bot' } };
  for (const format of body.streamingData.adaptiveFormats) {
    if (kind === 'sabr') delete format.url;
    if (kind === 'ciphered') {
      const url = new URL(format.url);
      url.searchParams.set('n', 'abcdefgh');
      format.signatureCipher = new URLSearchParams({ s: 'SIGNATURE', sp: 'sig', url: url.toString() }).toString();
      delete format.url;
    }
  }
  if (kind === 'sabr') delete body.streamingData.hlsManifestUrl;
  return body;
}

/** A player whose functions reverse their input, or leave `n` as it was (a failed transform). */
function ciphers(nWorks = true): PlayerCiphers {
  const reverse = (text: string) => [...text].reverse().join('');
  return {
    current: async () => ({
      playerId: 'testplay',
      signatureTimestamp: 20472,
      decipher: (items: DecipherInput[]) => items.map((item) => ({ sig: item.s && reverse(item.s), n: item.n && (nWorks ? reverse(item.n) : item.n) })),
    }),
  } as unknown as PlayerCiphers;
}

function recordingHealth(order?: YouTubeClientName[]) {
  const outcomes: ClientOutcome[] = [];
  const health: ClientHealth = { plan: async (clients) => order ?? [...clients], record: (outcome) => void outcomes.push(outcome) };
  return { health, outcomes };
}

const config = (clients: YouTubeClientName[], extra = {}) => ({ YOUTUBE_CLIENTS: clients, FALLBACK_INSTANCES: [], ...extra });

describe('Extractor and client health', () => {
  it('tries the clients health plans, in its order, and records every player attempt', async () => {
    const { fetch, requests } = innertube({ WEB_EMBEDDED_PLAYER: 'bot_check' });
    const { health, outcomes } = recordingHealth(['WEB_EMBEDDED', 'TV']);
    const video = await new Extractor(config(['VISIONOS', 'TV', 'WEB_EMBEDDED']), fetch, silent, 'unit', { health, ciphers: ciphers() }).resolve('M4gD1WSo5mA');
    expect(requests.map((request) => request.client)).toEqual(['WEB_EMBEDDED_PLAYER', 'TVHTML5']);
    expect(outcomes.map(({ client, phase, code }) => ({ client, phase, code }))).toEqual([
      { client: 'WEB_EMBEDDED', phase: 'player', code: 'youtube.bot_check' },
      { client: 'TV', phase: 'player', code: 'ok' },
    ]);
    expect(outcomes.every((outcome) => outcome.latencyMs >= 0)).toBe(true);
    expect(video.source).toBe('youtube:TV');
  });

  it('counts a SABR-only answer as that client’s failure and moves on', async () => {
    const { fetch } = innertube({ VISIONOS: 'sabr' });
    const { health, outcomes } = recordingHealth();
    const video = await new Extractor(config(['VISIONOS', 'ANDROID_VR']), fetch, silent, 'unit', { health }).resolve('M4gD1WSo5mA');
    expect(outcomes.map((outcome) => outcome.code)).toEqual(['youtube.sabr_only', 'ok']);
    expect(video.source).toBe('youtube:ANDROID_VR');
  });

  it('deciphers a ciphered client’s formats, sending the player’s signatureTimestamp', async () => {
    const { fetch, requests } = innertube({ TVHTML5: 'ciphered' });
    const video = await new Extractor(config(['TV']), fetch, silent, 'unit', { ciphers: ciphers() }).resolve('M4gD1WSo5mA');
    expect(requests[0]!.body.playbackContext.contentPlaybackContext.signatureTimestamp).toBe(20472);
    for (const format of video.formats) {
      const url = new URL(format.url);
      expect(url.searchParams.get('sig')).toBe('ERUTANGIS');
      expect(url.searchParams.get('n')).toBe('hgfedcba');
      expect(format.signatureCipher).toBeUndefined();
    }
  });

  it('hands out no URL whose n could not be transformed: the client fails and the next is tried', async () => {
    const { fetch } = innertube({ TVHTML5: 'ciphered' });
    const { health, outcomes } = recordingHealth();
    const video = await new Extractor(config(['TV', 'VISIONOS']), fetch, silent, 'unit', { health, ciphers: ciphers(false) }).resolve('M4gD1WSo5mA');
    expect(outcomes.map((outcome) => outcome.code)).toEqual(['youtube.decipher_failed', 'ok']);
    expect(video.source).toBe('youtube:VISIONOS');
  });

  it('skips the PO-token clients without a provider; with one, binds the GVS token to the session and the player token to the video', async () => {
    const skipped = innertube({});
    await expect(new Extractor(config(['MWEB', 'WEB']), skipped.fetch, silent, 'unit', { ciphers: ciphers() }).resolve('M4gD1WSo5mA')).rejects.toThrow();
    expect(skipped.requests).toHaveLength(0);

    const asked: string[] = [];
    const poTokens: PoTokenSource = { configured: true, tokenFor: async (binding) => (asked.push(binding), `TOKEN-for-${binding}`) };
    const { fetch, requests } = innertube({ MWEB: 'ciphered' });
    const video = await new Extractor(config(['MWEB']), fetch, silent, 'unit', { ciphers: ciphers(), poTokens }).resolve('M4gD1WSo5mA');
    const visitorData = requests[0]!.body.context.client.visitorData as string;
    expect(visitorData).toBeTruthy();
    expect(requests[0]!.headers.get('X-Goog-Visitor-Id')).toBe(visitorData);
    // MWEB wants no player token: the provider is asked for the session's GVS token only.
    expect(asked).toEqual([visitorData]);
    expect(requests[0]!.body.serviceIntegrityDimensions).toBeUndefined();
    for (const format of video.formats) expect(new URL(format.url).searchParams.get('pot')).toBe(`TOKEN-for-${visitorData}`);
    expect(video.fetchAs).toEqual({ client: 'MWEB', userAgent: CLIENT_PROFILES.MWEB.userAgent });
  });

  it('signs in only the clients that accept cookies', async () => {
    const { fetch, requests } = innertube({ VISIONOS: 'bot_check' });
    const cookies = 'SID=sid-value-123; SAPISID=sapisid-value-456; HSID=hsid-value-789';
    await new Extractor(config(['VISIONOS', 'TV'], { YOUTUBE_COOKIES: cookies }), fetch, silent, 'unit', { ciphers: ciphers() }).resolve('M4gD1WSo5mA');
    const [visionos, tv] = requests;
    expect(visionos!.headers.get('Cookie')).toBeNull();
    expect(visionos!.headers.get('Authorization')).toBeNull();
    expect(tv!.headers.get('Cookie')).toBe(cookies);
    expect(tv!.headers.get('Authorization')).toMatch(/^SAPISIDHASH \d+_[0-9a-f]{40}$/);
  });

  it('never hands out a dynamic-range-compressed or dubbed audio track, however high its bitrate', async () => {
    const body = structuredClone(recording.response.body) as any;
    const audio = body.streamingData.adaptiveFormats.filter((format: any) => format.mimeType.startsWith('audio/'));
    const best = audio.reduce((a: any, b: any) => (b.bitrate > a.bitrate ? b : a));
    // Each the same audio, louder on paper: a DRC copy and a dubbed one, both new itags, both unknown fields kept.
    const drc = { ...best, itag: 9251, bitrate: best.bitrate * 4, isDrc: true, xtags: 'CgcKAmRyYxIBMQ' };
    const dubbed = { ...best, itag: 9252, bitrate: best.bitrate * 5, audioTrack: { displayName: 'Hindi', id: 'hi.4', audioIsDefault: false } };
    body.streamingData.adaptiveFormats.push(drc, dubbed);
    const fetch = createOutbound({ upstreamOrigins: {}, timeoutMs: 5_000, logger: silent, transport: async () => Response.json(body) });
    const video = await new Extractor(config(['VISIONOS']), fetch, silent, 'unit').resolve('M4gD1WSo5mA');
    const itags = video.formats.map((format) => format.itag);
    expect(itags).toContain(best.itag);
    expect(itags).not.toContain(9251);
    expect(itags).not.toContain(9252);
  });
});
