import { createHmac } from 'node:crypto';

/**
 * Test PO tokens: what the test provider mints for a content binding, the test
 * InnerTube (player token: the video id) and googlevideo (GVS token: the visitor
 * data or data sync id of the player request's session) accept for that binding
 * only, as YouTube binds them since late July 2026. Stateless, so the provider
 * and the upstream (separate servers) agree without talking.
 */
const SECRET = 'test-po-token-secret';

export function mintPoToken(binding: string): string {
  return `MnT${createHmac('sha256', SECRET).update(binding).digest('base64url')}`;
}

export function isPoTokenFor(token: string | null | undefined, binding: string): boolean {
  return typeof token === 'string' && binding !== '' && token === mintPoToken(binding);
}

/** A short tag of a User-Agent: the test googlevideo's URLs name the one their player request came with. */
export function userAgentTag(userAgent: string | undefined): string {
  return createHmac('sha256', SECRET).update(userAgent ?? '').digest('hex').slice(0, 12);
}

/** The data sync id the test InnerTube gives a signed-in session (its cookies). */
export function dataSyncIdOf(cookie: string): string {
  return `${createHmac('sha256', SECRET).update(cookie).digest('hex').slice(0, 21)}||`;
}
