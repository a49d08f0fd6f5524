import type { YouTubeClientName } from '../../../core/src/settings';
import { CLIENT_PROFILES, CLIENT_TABLE_CHECKED } from '../../../core/src/youtube/clients';
import type { ClientOverrides } from '../../../core/src/youtube/client-overrides';
import { tableOf, type StoredClientOverrides } from '../../../core/src/youtube/client-table';
import type { ClientTableChange } from './client-table-store';

/** `GET /admin/youtube/clients`: the effective table, and which field came from where, who set it and when. */
export interface FieldOverride {
  field: string;
  value: string | number | boolean | null;
  /** `setting` (YOUTUBE_CLIENT_OVERRIDES) or `admin` (PUT /admin/youtube/clients). */
  from: 'setting' | 'admin';
  changed_by: string | null;
  changed_at: string | null;
}

export function clientTableView(
  settingOverrides: ClientOverrides,
  stored: StoredClientOverrides | null,
  history: ClientTableChange[],
  chain: readonly YouTubeClientName[],
) {
  const table = tableOf(settingOverrides, stored?.overrides);
  const clients = (Object.keys(CLIENT_PROFILES) as YouTubeClientName[]).map((name) => {
    const profile = table[name];
    const fields: FieldOverride[] = [
      ...Object.entries(settingOverrides[name] ?? {}).map(([field, value]) => ({ field, value: value ?? null, from: 'setting' as const, changed_by: null, changed_at: null })),
      ...Object.entries(stored?.overrides[name] ?? {}).map(([field, value]) => ({ field, value: value ?? null, from: 'admin' as const, changed_by: stored!.changedBy, changed_at: stored!.changedAt })),
    ];
    return {
      name,
      kind: profile.kind,
      in_chain: chain.includes(name),
      client_name: String(profile.context.clientName),
      client_version: String(profile.context.clientVersion),
      user_agent: profile.userAgent,
      name_id: profile.nameId,
      context: profile.context,
      ...(profile.thirdParty ? { third_party: profile.thirdParty } : {}),
      ciphered: profile.ciphered,
      po_token: profile.poToken,
      cookies: profile.cookies,
      built_in_version: String(CLIENT_PROFILES[name].context.clientVersion),
      overrides: fields,
    };
  });
  return {
    checked_against: CLIENT_TABLE_CHECKED.against,
    checked_on: CLIENT_TABLE_CHECKED.on,
    clients,
    setting_overrides: settingOverrides,
    stored_overrides: stored ? { overrides: stored.overrides, changed_by: stored.changedBy, changed_at: stored.changedAt } : null,
    history: history.map((change) => ({ at: change.at, by: change.by, action: change.action, overrides: change.overrides })),
  };
}
