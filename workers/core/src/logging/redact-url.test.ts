import { describe, expect, it } from 'vitest';
import { redactQueryString, redactText, redactUrlPath } from './redact-url';

const KEY = '2f0c4b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f';
const ADMIN = 'test-admin-key-0123456789abcdef';

describe('redactUrlPath', () => {
  it('masks every credential parameter, plain or URL-encoded, whatever its case', () => {
    for (const name of ['api_key', 'api', 'key', 'token', 'API_KEY', 'api%5Fkey', 'Api%5fKey', '%61pi']) {
      const out = redactUrlPath(`/v1/resolve?query=M4gD1WSo5mA&${name}=${ADMIN}`);
      expect(out).not.toContain(ADMIN);
      expect(out).toContain('query=M4gD1WSo5mA');
    }
  });

  it('masks keys in paths: the legacy delete route, the /k/<key>/ prefix, stream tokens, encoded slashes', () => {
    for (const path of [
      `/admin/delete-key/${KEY}`,
      `/admin/delete-key/${ADMIN}`,
      `/admin/delete-key/${encodeURIComponent(ADMIN)}`,
      `/admin%2Fdelete-key%2F${ADMIN}`,
      `//admin//delete-key/${ADMIN}`,
      `/ADMIN/DELETE-KEY/${ADMIN}`,
      `/k/${ADMIN}/v1/resolve`,
      `/stream/${ADMIN}.abc/hls/xyz`,
      `/file/${ADMIN}.abc`,
      `/v1/${KEY}`,
      `/v1/${encodeURIComponent(KEY).replace(/-/g, '%2D')}`,
    ]) {
      const out = redactUrlPath(path);
      expect(out, path).not.toContain(ADMIN);
      expect(out, path).not.toContain(KEY);
      expect(out, path).not.toContain(KEY.replace(/-/g, '%2D'));
    }
    expect(redactUrlPath(`/k/${KEY}/v1/resolve?query=x`)).toBe('/k/[redacted]/v1/resolve?query=x');
  });

  it("masks DeadlineTech's job id, which is a file link's token: /youtube/jobStatus?job_id=<token>", () => {
    const token = 'TTRnRDFXU281bUEuMjUxLmEuZC4xNzY0NjAwMDAwLi0.c2lnbmF0dXJlLW9mLXRoZS1saW5r';
    for (const name of ['job_id', 'JOB_ID', 'job%5Fid']) {
      const out = redactUrlPath(`/youtube/jobStatus?${name}=${token}`);
      expect(out).not.toContain(token);
      expect(out).toContain('[redacted]');
    }
  });

  it('leaves ordinary paths and queries as they are', () => {
    expect(redactUrlPath('/v1/search?query=lofi%20beats&limit=5')).toBe('/v1/search?query=lofi%20beats&limit=5');
    expect(redactQueryString('page=2&status=4xx')).toBe('page=2&status=4xx');
  });
});

describe('redactText', () => {
  it('masks key-shaped text and key parameters inside free text', () => {
    expect(redactText(`song ${KEY}`)).toBe('song [redacted]');
    expect(redactText(`https://youtu.be/x?si=1&api_key=${ADMIN}`)).not.toContain(ADMIN);
    expect(redactText('never gonna give you up')).toBe('never gonna give you up');
  });
});
