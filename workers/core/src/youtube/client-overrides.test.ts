import { describe, expect, it } from 'vitest';
import { parseSettings } from '../settings';
import { z } from 'zod';
import { YouTubeSettingsShape } from '../settings';
import { ClientOverridesSchema, mergeClientTable } from './client-overrides';
import { CLIENT_PROFILES } from './clients';
import { playerRequestBody } from './player-request';

const settings = (env: Record<string, string>) => parseSettings(z.object(YouTubeSettingsShape), env);

describe('the built-in client table', () => {
  it('sends TV as yt-dlp’s tv_downgraded: TVHTML5 5.x with its own user agent, in context.client too, in UTC', () => {
    const body = playerRequestBody({ videoId: 'abcdefghijk', profile: CLIENT_PROFILES.TV }) as { context: { client: Record<string, unknown> } };
    expect(body.context.client).toMatchObject({ clientName: 'TVHTML5', clientVersion: expect.stringMatching(/^5\./), userAgent: 'Mozilla/5.0 (ChromiumStylePlatform) Cobalt/Version', timeZone: 'UTC', utcOffsetMinutes: 0 });
    expect(CLIENT_PROFILES.TV.userAgent).toBe(body.context.client.userAgent);
    expect(CLIENT_PROFILES.TV_MODERN.context.clientVersion).toMatch(/^7\./);
    expect(CLIENT_PROFILES.WEB_EMBEDDED.context.clientVersion).toMatch(/^2\./);
  });
});

describe('client overrides', () => {
  it('replace the named fields and keep the rest; userAgent follows into context.client', () => {
    const table = mergeClientTable({ TV: { clientVersion: '5.20260901', userAgent: 'Cobalt/Next', deviceModel: 'Box' }, MWEB: { osVersion: null } });
    expect(table.TV.context).toMatchObject({ clientName: 'TVHTML5', clientVersion: '5.20260901', userAgent: 'Cobalt/Next', deviceModel: 'Box', timeZone: 'UTC' });
    expect(table.TV.userAgent).toBe('Cobalt/Next');
    expect(table.VISIONOS).toBe(CLIENT_PROFILES.VISIONOS);
    expect(CLIENT_PROFILES.TV.context.clientVersion).toBe('5.20260707');
  });

  it('later layers win field by field (the stored overrides over the setting)', () => {
    const table = mergeClientTable({ TV: { clientVersion: '5.1', deviceModel: 'A' } }, { TV: { clientVersion: '5.2' } });
    expect(table.TV.context).toMatchObject({ clientVersion: '5.2', deviceModel: 'A' });
  });

  it.each([
    [{ TV: { clientVersion: 'latest' } }, 'TV.clientVersion'],
    [{ TV: { userAgent: '' } }, 'TV.userAgent'],
    [{ TV: { nameId: 'seven' } }, 'TV.nameId'],
    [{ TV: { visitorData: 'x' } }, 'TV.visitorData'],
    [{ TV: { clientVersion: null } }, 'TV.clientVersion'],
    [{ TV: { 'bad key': 'x' } }, 'TV.bad key'],
    [{ TV: { deviceModel: { nested: true } } }, 'TV.deviceModel'],
  ])('refuse %j naming %s', (value, field) => {
    const parsed = ClientOverridesSchema.safeParse(value);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path.map(String).join('.')).toBe(field);
  });

  it('refuse an unknown client name', () => {
    expect(ClientOverridesSchema.safeParse({ NETSCAPE: { clientVersion: '1.0' } }).success).toBe(false);
  });

  it('as YOUTUBE_CLIENT_OVERRIDES: parsed once, and a bad one fails fast naming the setting and the field', () => {
    expect(settings({ YOUTUBE_CLIENT_OVERRIDES: '{"TV":{"clientVersion":"5.20260707"}}' }).YOUTUBE_CLIENT_OVERRIDES).toEqual({ TV: { clientVersion: '5.20260707' } });
    expect(settings({}).YOUTUBE_CLIENT_OVERRIDES).toEqual({});
    expect(() => settings({ YOUTUBE_CLIENT_OVERRIDES: '{"TV":{"clientVersion":"latest"}}' })).toThrow(/YOUTUBE_CLIENT_OVERRIDES .*TV\.clientVersion/);
    expect(() => settings({ YOUTUBE_CLIENT_OVERRIDES: '{TV' })).toThrow(/YOUTUBE_CLIENT_OVERRIDES must be a JSON object/);
  });
});
