import { describe, expect, it } from 'vitest';
import { api, createKey } from './support/api';

/**
 * Shruti's /download answers the file itself and is read in byte ranges: its
 * later ranges are free, as a stream link's are, but a range of a track the
 * key never started still resolves it on YouTube, so it counts once.
 */
const from = (key: string, range: string) => ({ headers: { 'X-API-Key': key, 'CF-Connecting-IP': '198.51.100.60', Range: range } });

describe("Shruti's /download in byte ranges", () => {
  it('counts the first read of each track once, whichever range it starts with', async () => {
    const { key } = await createKey({ daily_limit: 1000 });
    const reads: Array<[string, string]> = [
      ['M4gD1WSo5mA', 'bytes=0-99'],
      ['M4gD1WSo5mA', 'bytes=100-199'],
      ['M4gD1WSo5mA', 'bytes=200-299'],
      // Never started from byte 0: a resolve all the same, so it counts; its next range does not.
      ['T4XJQO3qol8', 'bytes=100-199'],
      ['T4XJQO3qol8', 'bytes=200-299'],
    ];
    for (const [id, range] of reads) {
      const response = await api(`/download?url=${id}&type=audio&api_key=`, from(key, range));
      expect(response.status, `${id} ${range}`).toBe(206);
      await response.arrayBuffer();
    }
    const after = await api('/v1/resolve?query=M4gD1WSo5mA', { headers: { 'X-API-Key': key } });
    expect(after.headers.get('RateLimit-Remaining')).toBe(String(1000 - 3));
  });
});
