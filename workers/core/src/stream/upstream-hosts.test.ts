import { describe, expect, it } from 'vitest';
import type { FallbackInstance } from '../settings';
import { isAllowedStreamHost, isInstanceUrl } from './upstream-hosts';

const fallbacks: FallbackInstance[] = [
  { type: 'piped', url: 'https://pipedapi.kavin.rocks' },
  { type: 'piped', url: 'https://pipedapi.example.co.uk' },
  { type: 'piped', url: 'https://tenant-a.workers.dev' },
  { type: 'invidious', url: 'https://tenant-b.github.io' },
  { type: 'invidious', url: 'https://inv.example.org' },
];
const allowed = (url: string) => isAllowedStreamHost(new URL(url), fallbacks);

describe('the stream host allow-list', () => {
  it('allows googlevideo subdomains and the configured instances', () => {
    expect(allowed('https://rr3---sn-abc.googlevideo.com/videoplayback?x=1')).toBe(true);
    expect(allowed('https://pipedapi.kavin.rocks/x')).toBe(true);
    expect(allowed('https://inv.example.org/latest_version?id=x')).toBe(true);
    expect(allowed('https://tenant-b.github.io/x')).toBe(true);
  });

  it("allows a Piped instance's sibling proxy host, within its registrable domain only", () => {
    expect(allowed('https://pipedproxy.kavin.rocks/videoplayback')).toBe(true);
    expect(allowed('https://pipedproxy.example.co.uk/videoplayback')).toBe(true);
    expect(allowed('https://proxy.tenant-a.workers.dev/x')).toBe(true);
  });

  it('never allows other tenants of a public suffix (co.uk, workers.dev, github.io)', () => {
    expect(allowed('https://attacker.co.uk/x')).toBe(false);
    expect(allowed('https://attacker.workers.dev/x')).toBe(false);
    expect(allowed('https://attacker.github.io/x')).toBe(false);
    expect(allowed('https://other.example.org/x')).toBe(false);
  });

  it('refuses look-alikes, other schemes, ports and credentials', () => {
    expect(allowed('https://googlevideo.com.evil.example/x')).toBe(false);
    expect(allowed('https://evilgooglevideo.com/x')).toBe(false);
    expect(allowed('http://rr1.googlevideo.com/x')).toBe(false);
    expect(allowed('https://rr1.googlevideo.com:8443/x')).toBe(false);
    expect(allowed('https://user:pw@rr1.googlevideo.com/x')).toBe(false);
    expect(allowed('https://127.0.0.1/x')).toBe(false);
  });

  it("keeps a fallback instance's API calls on that instance", () => {
    const instance: FallbackInstance = { type: 'invidious', url: 'http://inv.internal:3000' };
    expect(isInstanceUrl(new URL('http://inv.internal:3000/api/v1/videos/x'), instance)).toBe(true);
    expect(isInstanceUrl(new URL('https://inv.internal/api/v1/videos/x'), instance)).toBe(true);
    expect(isInstanceUrl(new URL('http://inv.internal:8080/'), instance)).toBe(false);
    expect(isInstanceUrl(new URL('http://169.254.169.254/latest/meta-data'), instance)).toBe(false);
  });
});
