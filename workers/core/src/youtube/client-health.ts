import type { YouTubeClientName } from '../settings';

/**
 * The contract between the client chain and client health (issue 10 §5): the
 * chain asks which clients to try, in order, and reports every attempt. The
 * real implementation shares state across a colo's isolates; this module only
 * holds the contract and the no-op used where health is not tracked.
 */
export type ClientPhase = 'player' | 'stream' | 'canary';

export interface ClientOutcome {
  client: YouTubeClientName;
  phase: ClientPhase;
  /** `ok`, or the dotted error code of the failure (`youtube.login`, `youtube.sabr_only`, `googlevideo.forbidden`, …). */
  code: string;
  latencyMs: number;
  /**
   * phase `stream`: when the player answer that minted the URL was made (epoch ms). A URL minted
   * before a client's trouble began that still plays does not end that trouble. Without it, now.
   */
  mintedAt?: number;
}

export interface ClientHealth {
  /** The clients to try, in the configured order, without those cooling off (all of them when every one is). */
  plan(clients: readonly YouTubeClientName[]): Promise<YouTubeClientName[]>;
  /** Records one attempt; never throws, never delays the caller. */
  record(outcome: ClientOutcome): void;
}

export const untrackedClientHealth: ClientHealth = {
  plan: async (clients) => [...clients],
  record: () => {},
};
