import { describe, expect, it } from 'vitest';
import { apiJson } from './support/api';

describe('GET /v1/resolve', () => {
  it('resolves a recorded video id with its true title, duration and the best audio format', async () => {
    const { status, body } = await apiJson('/v1/resolve?query=M4gD1WSo5mA');
    expect(status).toBe(200);
    expect(body.title).toBe('William Fisher, CopyrightX: Lecture 3.2, The Subject Matter of Copyright: Drama and choreography');
    expect(body.duration).toBe(721);
    expect(body.stream.mime).toContain('opus');
    expect(body.stream.url).toMatch(/^http:\/\/api\.test\/stream\//);
  });
});
