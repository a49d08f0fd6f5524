import { runInDurableObject } from 'cloudflare:test';
import type { QuotaCounter } from '../../workers/api/src/quota/quota-counter';

/**
 * Whether a key's QuotaCounter still holds its write timer. While it does, the object cannot
 * hibernate, and Cloudflare bills the idle time as duration.
 */
export function holdsWriteTimer(stub: DurableObjectStub<QuotaCounter>): Promise<boolean> {
  return runInDurableObject(stub, (instance) => (instance as unknown as { flushTimer?: unknown }).flushTimer !== undefined);
}
