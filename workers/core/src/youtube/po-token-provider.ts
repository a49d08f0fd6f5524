import { z } from 'zod';
import { AppError } from '../errors';
import type { OutboundFetch } from '../outbound/http';

/**
 * PO tokens from the operator's own provider, spoken in the protocol of
 * the bgutil provider (Brainicism/bgutil-ytdlp-pot-provider, 1.3.2 or newer):
 *   POST {url}/get_pot {"content_binding": "<binding>"} → 200 {poToken, contentBinding, expiresAt}
 *   errors → 4xx/5xx {"error": "…"};  GET {url}/ping → {server_uptime, version}.
 * The binding is the video id for a player token and the session's visitor data
 * (or data sync id) for a GVS token (po-token-binding.ts). A token is kept until
 * its expiresAt (minus a margin), per binding and isolate; concurrent asks for
 * one binding share one call.
 * A token is a credential: it goes into the player request and googlevideo
 * URLs only, never into a log line or an error message.
 */
const TokenAnswer = z.object({
  poToken: z.string().min(1).max(4096),
  contentBinding: z.string(),
  expiresAt: z.iso.datetime({ offset: true }),
});
const ErrorAnswer = z.looseObject({ error: z.string() });
const PingAnswer = z.looseObject({ server_uptime: z.number(), version: z.string() });

export interface PoTokenSource {
  readonly configured: boolean;
  /** A token minted for this content binding; throws youtube.po_token_unavailable when none can be had in time. */
  tokenFor(contentBinding: string): Promise<string>;
}

/** Used when PO_TOKEN_PROVIDER_URL is not set. */
export const noPoTokens: PoTokenSource = {
  configured: false,
  tokenFor: () => Promise.reject(new AppError('youtube.po_token_unavailable', 'No PO token provider is configured.')),
};

/** Margin before expiresAt after which a token is not handed out: the URLs it signs must outlive the resolve. */
const EXPIRY_MARGIN_MS = 5 * 60 * 1000;
const CACHED_TOKENS = 500;
const tokens = new Map<string, { token: string; until: number }>();
const asking = new Map<string, Promise<string>>();

export class PoTokenProvider implements PoTokenSource {
  readonly configured = true;
  private readonly base: string;

  constructor(
    url: string,
    private readonly fetch: OutboundFetch,
    /** Never longer than the outbound timeout; a resolve does not wait on the provider beyond it. */
    private readonly timeoutMs: number,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  async tokenFor(contentBinding: string): Promise<string> {
    const key = `${this.base} ${contentBinding}`;
    const held = tokens.get(key);
    if (held && held.until > Date.now()) return held.token;
    tokens.delete(key);
    let pending = asking.get(key);
    if (!pending) {
      pending = this.mint(key, contentBinding).finally(() => asking.delete(key));
      asking.set(key, pending);
    }
    return pending;
  }

  private async mint(key: string, contentBinding: string): Promise<string> {
    const answer = await this.call(contentBinding);
    const until = Date.parse(answer.expiresAt) - EXPIRY_MARGIN_MS;
    if (!(until > Date.now())) throw unavailable('expired_token');
    tokens.set(key, { token: answer.poToken, until });
    if (tokens.size > CACHED_TOKENS) tokens.delete(tokens.keys().next().value!);
    return answer.poToken;
  }

  /** For /health?deep: whether the provider answers its ping in the protocol's shape. */
  async ping(): Promise<{ configured: true; reachable: boolean; version?: string }> {
    try {
      const response = await this.fetch(`${this.base}/ping`, { label: 'po_token.ping', timeoutMs: this.timeoutMs });
      const parsed = PingAnswer.safeParse(await response.json().catch(() => null));
      return response.ok && parsed.success ? { configured: true, reachable: true, version: parsed.data.version } : { configured: true, reachable: false };
    } catch {
      return { configured: true, reachable: false };
    }
  }

  private async call(contentBinding: string): Promise<z.infer<typeof TokenAnswer>> {
    let response: Response;
    try {
      response = await this.fetch(`${this.base}/get_pot`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ content_binding: contentBinding }),
        label: 'po_token.get_pot',
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      throw unavailable(error instanceof AppError ? error.code : 'unreachable');
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const error = ErrorAnswer.safeParse(body);
      throw unavailable('refused', { status: response.status, error: error.success ? error.data.error.slice(0, 200) : undefined });
    }
    const parsed = TokenAnswer.safeParse(body);
    if (!parsed.success) throw unavailable('bad_answer', { issues: parsed.error.issues.map((issue) => issue.path.join('.')).join(',') });
    if (parsed.data.contentBinding !== contentBinding) throw unavailable('wrong_binding');
    return parsed.data;
  }
}

/** What /health?deep reports about the provider. */
export async function ping(source: PoTokenSource): Promise<{ configured: boolean; reachable: boolean }> {
  if (!(source instanceof PoTokenProvider)) return { configured: false, reachable: false };
  const { configured, reachable } = await source.ping();
  return { configured, reachable };
}

export function poTokenSource(url: string | undefined, fetch: OutboundFetch, timeoutMs: number): PoTokenSource {
  return url ? new PoTokenProvider(url, fetch, timeoutMs) : noPoTokens;
}

function unavailable(reason: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('youtube.po_token_unavailable', 'The PO token provider gave no token.', { logDetails: { reason, ...details } });
}

/** Forgets cached tokens (tests). */
export function forgetPoTokens(): void {
  tokens.clear();
  asking.clear();
}
