import { Innertube, Log, type Player } from 'youtubei.js/cf-worker';
import { loadPlayer } from './player-script';
import type { OutboundFetch } from '../outbound/http';

/**
 * One youtubei.js session per isolate and outbound route. The session is made
 * locally (no round trip to youtube.com) and without the player script: the
 * first-choice clients return plain URLs, and the script is only fetched when a
 * format actually needs deciphering.
 */
Log.setLevel(Log.Level.NONE);

interface SessionSlot {
  innertube: Promise<Innertube>;
  player?: Promise<Player>;
}

const sessions = new Map<string, SessionSlot>();

function slotFor(routeKey: string, fetch: OutboundFetch): SessionSlot {
  let slot = sessions.get(routeKey);
  if (!slot) {
    const innertube = Innertube.create({
      fetch: fetch as typeof globalThis.fetch,
      generate_session_locally: true,
      retrieve_innertube_config: false,
      retrieve_player: false,
      enable_session_cache: false,
      lang: 'en',
      location: 'US',
    });
    slot = { innertube };
    // A failed creation must not poison the isolate.
    innertube.catch(() => sessions.delete(routeKey));
    sessions.set(routeKey, slot);
  }
  return slot;
}

export function getInnertube(routeKey: string, fetch: OutboundFetch): Promise<Innertube> {
  return slotFor(routeKey, fetch).innertube;
}

/** The web player script, fetched once per isolate when a cipher first needs it. */
export function getPlayer(routeKey: string, fetch: OutboundFetch): Promise<Player> {
  const slot = slotFor(routeKey, fetch);
  if (!slot.player) {
    slot.player = loadPlayer(fetch);
    slot.player.catch(() => (slot.player = undefined));
  }
  return slot.player;
}

