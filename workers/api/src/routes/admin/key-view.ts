import type { KeyGate } from '../../quota/key-gate';
import type { ApiKeyRecord } from '../../../../core/src/store/types';

/** How the admin API shows a key: never its hash, never the key. */
export interface KeyView {
  id: string;
  name: string;
  tier: 'user' | 'admin';
  daily_limit: number;
  created_at: string;
  expires_at: string | null;
  active: boolean;
  status: 'active' | 'expired' | 'revoked';
  last_used_at: string | null;
  total_used: number;
  used_today: number;
}

export function keyStatus(record: ApiKeyRecord, now: Date): KeyView['status'] {
  if (!record.active) return 'revoked';
  if (record.expires_at && record.expires_at <= now) return 'expired';
  return 'active';
}

/** What every admin answer about a key shows first: who it is and its limits. */
export function keyIdentity(record: ApiKeyRecord): Pick<KeyView, 'id' | 'name' | 'tier' | 'daily_limit' | 'created_at' | 'expires_at'> {
  return {
    id: record.id,
    name: record.name,
    tier: record.tier,
    daily_limit: record.daily_limit,
    created_at: record.created_at.toISOString(),
    expires_at: record.expires_at?.toISOString() ?? null,
  };
}

export async function toKeyView(record: ApiKeyRecord, gate: KeyGate, now: Date): Promise<KeyView> {
  const [today] = await gate.usage(record.key_hash, now.getTime(), 1);
  return {
    ...keyIdentity(record),
    active: record.active,
    status: keyStatus(record, now),
    last_used_at: record.last_used_at?.toISOString() ?? null,
    total_used: record.total_used,
    used_today: today?.count ?? 0,
  };
}
