import { describe, expect, it } from 'vitest';
import { api, apiJson, createKey, withKey } from './support/api';

/**
 * An emergency cut-off stops links minted before it, and only those: the
 * short-lived links the bot shapes mint after it (Shruti's download token)
 * keep working, for every kind of key.
 */
describe('links minted after an emergency revoke-before', () => {
  it("Shruti's download token minted after the cut-off plays", async () => {
    const before = new Date(Date.now() - 60_000).toISOString();
    const revoked = await apiJson('/admin/stream-links/revoke-before', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ before }) });
    expect(revoked.status).toBe(200);
    const { key } = await createKey({ name: 'after the cut-off' });
    for (const init of [{}, withKey(key)]) {
      const { status, body } = await apiJson('/download?url=M4gD1WSo5mA&type=audio', init);
      expect(status).toBe(200);
      const file = await api(`/stream/M4gD1WSo5mA?type=audio&token=${encodeURIComponent(body.download_token)}`, { headers: { Range: 'bytes=0-9' } });
      expect(file.status).toBe(206);
    }
  });
});
