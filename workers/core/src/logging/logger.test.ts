import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

describe('logger', () => {
  it('writes JSON lines with the level threshold applied', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', format: 'json', sink: (line) => lines.push(line) });
    logger.debug('hidden');
    logger.info('shown', { status: 200 });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', event: 'shown', status: 200 });
  });

  it('masks secret values wherever they appear and never writes a stack', () => {
    const lines: string[] = [];
    const token = '123456:ABC-secret-bot-token';
    const logger = createLogger({ level: 'debug', format: 'pretty', secrets: [token], sink: (line) => lines.push(line) });
    logger.error('failed', { url: `https://api.telegram.org/bot${token}/sendAudio`, error: new Error(`bad ${token}`) });
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).toContain('[redacted]');
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('masks PO tokens by their shape: a pot= URL parameter or a poToken field', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', format: 'json', sink: (line) => lines.push(line) });
    const token = 'MnTpoTokenValue_0123456789-abcdef';
    logger.info('outbound', { url: `https://rr1.googlevideo.com/videoplayback?id=1&pot=${token}&n=x`, body: { serviceIntegrityDimensions: { poToken: token } } });
    logger.info('escaped', { url: encodeURIComponent(`https://x.googlevideo.com/v?a=1&pot=${token}`) });
    expect(lines.join('\n')).not.toContain(token);
    expect(lines[0]).toContain('&n=x');
  });
});
