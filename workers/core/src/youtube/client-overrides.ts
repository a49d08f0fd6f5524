import { z } from 'zod';
import type { YouTubeClientName } from '../settings';
import { CLIENT_PROFILES, type ClientProfile } from './clients';

/**
 * An operator's corrections to the built-in client table (clients.ts), for when YouTube moves a
 * client's version or user agent between deploys: one JSON object keyed by client name, each
 * value the fields to replace, e.g. `{"TV": {"clientVersion": "5.20260707", "userAgent": "…"}}`.
 *
 * - `userAgent`, `nameId`, `embedUrl`, `ciphered`, `poToken`, `cookies` replace the profile's own;
 *   `userAgent` also replaces context.client.userAgent where the client sends one there.
 * - Any other key is a context.client field (clientVersion, deviceModel, osVersion, timeZone, …);
 *   `null` removes it. visitorData is the session's, never the table's.
 */
const CLIENT_NAMES = Object.keys(CLIENT_PROFILES) as [YouTubeClientName, ...YouTubeClientName[]];
const PROFILE_FIELDS = new Set(['userAgent', 'nameId', 'embedUrl', 'ciphered', 'poToken', 'cookies']);
const CONTEXT_KEY = /^[a-z][A-Za-z0-9]{0,39}$/;
const REQUIRED_CONTEXT = new Set(['clientName', 'clientVersion']);

const ClientOverrideSchema = z
  .object({
    userAgent: z.string().trim().min(1, 'must not be empty').max(512, 'must be at most 512 characters').optional(),
    nameId: z.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be positive').max(10_000, 'must be at most 10000').optional(),
    embedUrl: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
    ciphered: z.boolean({ error: 'must be true or false' }).optional(),
    poToken: z.boolean({ error: 'must be true or false' }).optional(),
    cookies: z.boolean({ error: 'must be true or false' }).optional(),
    clientName: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, 'must be an InnerTube client name such as TVHTML5').optional(),
    clientVersion: z.string().regex(/^\d+(\.\d+){1,3}$/, 'must be a version such as 5.20260707 or 2.20260708.00.00').optional(),
  })
  .catchall(z.union([z.string().max(512, 'must be at most 512 characters'), z.number().finite(), z.null()], { error: 'must be a string, a number or null' }))
  .superRefine((override, ctx) => {
    for (const [key, value] of Object.entries(override)) {
      if (PROFILE_FIELDS.has(key)) continue;
      if (key === 'visitorData') ctx.addIssue({ code: 'custom', path: [key], message: 'is the session’s, not the client table’s' });
      else if (!CONTEXT_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is not a context.client field name (camelCase letters and digits)' });
      else if (value === null && REQUIRED_CONTEXT.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'cannot be removed' });
    }
  });

// Bounded: the overrides ride along in each cache job (a queue message holds at most 128 KB).
export const ClientOverridesSchema = z
  .partialRecord(z.enum(CLIENT_NAMES, { error: `must be one of ${CLIENT_NAMES.join(', ')}` }), ClientOverrideSchema)
  .refine((overrides) => JSON.stringify(overrides).length <= 16_384, 'must be at most 16 KB of JSON');
export type ClientOverride = z.infer<typeof ClientOverrideSchema>;
export type ClientOverrides = z.infer<typeof ClientOverridesSchema>;

/** A readable "<client>.<field>: <why>" for the first problem of a bad overrides object. */
export function overridesProblem(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.');
  // An unknown client name is reported on the key itself.
  const message = issue.code === 'invalid_key' ? `must be one of ${CLIENT_NAMES.join(', ')}` : issue.message;
  return { field, message };
}

/** YOUTUBE_CLIENT_OVERRIDES: the JSON text of an overrides object; a bad one names its field. */
export const clientOverridesSetting = z.string().transform((text, ctx) => {
  if (text.trim() === '') return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object keyed by client name, e.g. {"TV":{"clientVersion":"5.20260707"}}' });
    return z.NEVER;
  }
  const parsed = ClientOverridesSchema.safeParse(raw);
  if (!parsed.success) {
    const { field, message } = overridesProblem(parsed.error);
    ctx.addIssue({ code: 'custom', message: field ? `has ${field} that ${message}` : message });
    return z.NEVER;
  }
  return parsed.data;
});

export type ClientTable = Readonly<Record<YouTubeClientName, ClientProfile>>;

/** One client's profile with an override applied. */
function applyOverride(base: ClientProfile, override: ClientOverride): ClientProfile {
  const profile: ClientProfile = { ...base, context: { ...base.context } };
  for (const [key, value] of Object.entries(override)) {
    if (value === undefined) continue;
    if (key === 'userAgent') {
      profile.userAgent = value as string;
      if ('userAgent' in profile.context) profile.context.userAgent = value as string;
    } else if (key === 'nameId') profile.nameId = value as number;
    else if (key === 'embedUrl') profile.thirdParty = { embedUrl: value as string };
    else if (key === 'ciphered' || key === 'poToken' || key === 'cookies') profile[key] = value as boolean;
    else if (value === null) delete profile.context[key];
    else profile.context[key] = value as string | number;
  }
  return profile;
}

/** The built-in table with each layer's overrides merged over it, later layers winning field by field. */
export function mergeClientTable(...layers: (ClientOverrides | null | undefined)[]): ClientTable {
  const table = { ...CLIENT_PROFILES } as Record<YouTubeClientName, ClientProfile>;
  for (const layer of layers) {
    if (!layer) continue;
    for (const [name, override] of Object.entries(layer) as [YouTubeClientName, ClientOverride | undefined][]) {
      if (override) table[name] = applyOverride(table[name], override);
    }
  }
  return table;
}
