import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/logger';
import { secretSettingValues } from '../settings';
import { parseYouTubeCookies, signedInHeaders } from './cookies';

const NETSCAPE = [
  '# Netscape HTTP Cookie File',
  '.youtube.com\tTRUE\t/\tTRUE\t0\tSID\tsid-value-0001',
  '#HttpOnly_.youtube.com\tTRUE\t/\tTRUE\t0\tHSID\thsid-value-0002',
  '.youtube.com\tTRUE\t/\tTRUE\t0\tSAPISID\tsapisid-value-0003',
  '.youtube.com\tTRUE\t/\tTRUE\t1000\tOLD\texpired-value-0004',
  '.google.com\tTRUE\t/\tTRUE\t0\tNID\tgoogle-value-0005',
].join('\n');

describe('YOUTUBE_COOKIES', () => {
  it('reads a Netscape cookies.txt: youtube.com cookies only, expired ones dropped, HttpOnly ones kept', () => {
    const cookies = parseYouTubeCookies(NETSCAPE, 2_000)!;
    expect(cookies.header).toBe('SID=sid-value-0001; HSID=hsid-value-0002; SAPISID=sapisid-value-0003');
    expect(cookies.sapisid).toBe('sapisid-value-0003');
  });

  it('reads a Cookie header line, with or without its name', () => {
    expect(parseYouTubeCookies('Cookie: SID=a-sid-value; SAPISID=a-sapisid')!.header).toBe('SID=a-sid-value; SAPISID=a-sapisid');
    expect(parseYouTubeCookies('SID=a-sid-value')!.header).toBe('SID=a-sid-value');
    expect(parseYouTubeCookies('   ')).toBeNull();
  });

  it('signs in as yt-dlp does: the cookies and a SAPISIDHASH of the time, SAPISID and origin', async () => {
    const headers = await signedInHeaders(parseYouTubeCookies('SAPISID=abc; SID=x')!, 1_700_000_000);
    const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode('1700000000 abc https://www.youtube.com'));
    const hex = [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    expect(headers).toMatchObject({ Cookie: 'SAPISID=abc; SID=x', Authorization: `SAPISIDHASH 1700000000_${hex}`, 'X-Origin': 'https://www.youtube.com' });
  });

  it('is masked in logs cookie by cookie, not only as a whole', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', format: 'json', secrets: secretSettingValues({ YOUTUBE_COOKIES: NETSCAPE }), sink: (line) => void lines.push(line) });
    logger.info('upstream', { header: 'SID=sid-value-0001', also: 'sapisid-value-0003' });
    expect(lines.join('\n')).not.toMatch(/sid-value-0001|sapisid-value-0003/);
  });
});
