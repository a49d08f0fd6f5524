import { describe, expect, it } from 'vitest';
import { manifestWithPoToken } from './decipher-formats';
import { gvsContentBinding, playerContentBinding, wantsPlayerToken } from './po-token-binding';

/** As yt-dlp's test_pot_builtin_utils.py test_get_webpo_content_binding has it. */
describe('PO token content binding', () => {
  it('binds a GVS token to the visitor data signed out, to the data sync id signed in', () => {
    expect(gvsContentBinding({ visitorData: 'CgtWaXNpdG9y', signedIn: false })).toBe('CgtWaXNpdG9y');
    expect(gvsContentBinding({ visitorData: 'CgtWaXNpdG9y', dataSyncId: 'abc||def', signedIn: true })).toBe('abc||def');
  });

  it('names no binding when the session does not tell it: no token can be minted for it', () => {
    expect(gvsContentBinding({ signedIn: false })).toBeNull();
    expect(gvsContentBinding({ visitorData: 'CgtWaXNpdG9y', signedIn: true })).toBeNull();
  });

  it('binds a player token to the video, and only WEB asks for one', () => {
    expect(playerContentBinding('dQw4w9WgXcQ')).toBe('dQw4w9WgXcQ');
    expect(wantsPlayerToken('WEB')).toBe(true);
    expect(wantsPlayerToken('MWEB')).toBe(false);
  });

  it('puts the GVS token on an HLS manifest URL as a path segment, once', () => {
    const url = 'https://manifest.googlevideo.com/api/manifest/hls_variant/id/abc/file/index.m3u8';
    const withToken = manifestWithPoToken(url, 'MnT+/=token');
    expect(withToken).toBe('https://manifest.googlevideo.com/api/manifest/hls_variant/id/abc/file/index.m3u8/pot/MnT%2B%2F%3Dtoken');
    expect(manifestWithPoToken(withToken, 'other')).toBe(withToken);
  });
});
