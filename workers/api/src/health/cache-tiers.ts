import type { CacheApiState } from '../../../core/src/cache/edge-cache';

/**
 * Where each cache of this Worker lives now, nearest tier first, for
 * `/health?deep=true`'s `caches`: one entry per cache, e.g.
 * `player_functions: "memory+cache_api+durable_object"`. The Cache API tier
 * shows only where it keeps what it is given (cache_api "on").
 */
export interface CacheTierInputs {
  cacheApi: CacheApiState;
  /** The PLAYER_FUNCTIONS binding exists (the player functions' durable home). */
  playerFunctions: boolean;
}

export function cacheTiers({ cacheApi, playerFunctions }: CacheTierInputs): Record<string, string> {
  const tiers = (...names: (string | false)[]) => names.filter(Boolean).join('+');
  const edge = cacheApi === 'on' && 'cache_api';
  return {
    player_functions: tiers('memory', edge, playerFunctions ? 'durable_object' : 'own_extraction'),
  };
}
