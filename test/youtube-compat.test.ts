import { describe, expect, it } from 'vitest';
import { api, apiJson } from './support/api';

describe('GET /youtube (the original service’s shape)', () => {
  it('answers exactly the original fields for audio', async () => {
    const { status, body } = await apiJson('/youtube?query=M4gD1WSo5mA');
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(
      ['id', 'title', 'duration', 'link', 'channel', 'views', 'thumbnail', 'stream_url', 'direct_url', 'stream_type', 'cached', 'telegram_cached', 'telegram_file_id'].sort(),
    );
    expect(body).toMatchObject({ id: 'M4gD1WSo5mA', duration: 721, stream_type: 'Audio', cached: false, telegram_cached: false });
    expect(body.stream_url).toMatch(/^\/stream\/[\w-]+\.[\w-]+$/);
    expect(body.direct_url).toBe(`http://api.test${body.stream_url}`);
    expect((await api(body.stream_url, { method: 'HEAD' })).status).toBe(200);
  });

  it('answers video=true with a Video stream', async () => {
    const { status, body } = await apiJson('/youtube?query=https://www.youtube.com/watch?v=T4XJQO3qol8&video=true');
    expect(status).toBe(200);
    expect(body.stream_type).toBe('Video');
  });

  it('keeps the original error shape and statuses: 400 bad query, 404 nothing playable', async () => {
    const missing = await apiJson('/youtube');
    expect(missing.status).toBe(400);
    expect(typeof missing.body.error).toBe('string');
    const other = await apiJson('/youtube?query=https://vimeo.com/1');
    expect(other.status).toBe(400);
    const privateVideo = await apiJson('/youtube?query=8VajtrESJzA');
    expect(privateVideo.status).toBe(404);
    expect(privateVideo.body.error).toMatch(/private/);
  });
});
