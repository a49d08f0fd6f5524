import { describe, expect, it } from 'vitest';
import { isRelayHost } from './relay-hosts';

describe('the relay’s hosts', () => {
  it('takes YouTube’s own hosts, googlevideo and ytimg, and nothing that only looks like them', () => {
    for (const host of ['www.youtube.com', 'music.youtube.com', 'youtubei.googleapis.com', 'rr4---sn-5hne6nz6.googlevideo.com', 'i.ytimg.com', 'WWW.YOUTUBE.COM', 'www.youtube.com:443']) {
      expect(isRelayHost(host), host).toBe(true);
    }
    for (const host of ['googlevideo.com', '.googlevideo.com', 'evil.example', 'www.youtube.com.evil.example', 'googlevideo.com.evil.example', 'www.youtube.com:8080', 'user@www.youtube.com', 'www.youtube.com/x', 'www.youtube.com.', 'a..googlevideo.com', '127.0.0.1', 'googleapis.com', 'storage.googleapis.com', '']) {
      expect(isRelayHost(host), host).toBe(false);
    }
  });
});
