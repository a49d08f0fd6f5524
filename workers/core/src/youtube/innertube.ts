import { Innertube, Log, Platform } from 'youtubei.js/cf-worker';
import type { OutboundFetch } from '../outbound/http';

/**
 * One youtubei.js session per isolate and outbound route, for search and the
 * visitor data of player requests. The session is made locally (no round trip
 * to youtube.com) and without the player script: player-cipher.ts fetches and
 * keeps that, only for the clients whose formats are ciphered.
 */
Log.setLevel(Log.Level.NONE);

interface SessionSlot {
  innertube: Promise<Innertube>;
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

export { Platform };
