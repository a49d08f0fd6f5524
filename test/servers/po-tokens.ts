import { createHmac } from 'node:crypto';

/**
 * Test PO tokens: what the test provider mints for a video, the test
 * googlevideo and InnerTube accept for that video only. Stateless, so the
 * provider and the upstream (separate servers) agree without talking.
 */
const SECRET = 'test-po-token-secret';

export function mintPoToken(videoId: string): string {
  return `MnT${createHmac('sha256', SECRET).update(videoId).digest('base64url')}`;
}

export function isPoTokenFor(token: string | null | undefined, videoId: string): boolean {
  return typeof token === 'string' && token === mintPoToken(videoId);
}
