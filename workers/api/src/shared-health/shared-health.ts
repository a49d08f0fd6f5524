import { DurableObject } from 'cloudflare:workers';
import { healthBoardName, type HealthBoard, type IsolatePart } from '../../../core/src/youtube/colo-client-health';

/**
 * What the isolates of the service share without the Cache API (which keeps
 * nothing on a workers.dev address): client health (one object per colo,
 * `health:<colo>`) and the unknown-key memory (one object, `unknown-keys`).
 * Isolates call at most once a minute each, carrying their news as a batch
 * and taking back what the others reported: never a call per request.
 *
 * Health is kept as one part per isolate, never a sum, as in the Cache API
 * snapshot it replaces: an isolate only ever replaces its own part, so a
 * repeated or racing report cannot double-count.
 */
const MAX_UNKNOWN_KEYS = 2_000;

export class SharedHealth extends DurableObject<Record<string, unknown>> {
  private parts: Map<string, IsolatePart> | null = null;
  private unknown: Map<string, number> | null = null;

  /** Stores this isolate's part (when it has news), drops parts older than the horizon, returns the others'. */
  async exchangeHealth(isolateId: string, part: IsolatePart | null, horizonMs: number): Promise<Record<string, IsolatePart>> {
    const parts = await this.loadParts();
    const oldest = Date.now() - horizonMs;
    const gone: string[] = [];
    for (const [id, held] of parts) if (held.at < oldest) gone.push(id);
    for (const id of gone) parts.delete(id);
    if (gone.length > 0) await this.ctx.storage.delete(gone.map((id) => `part:${id}`));
    if (part) {
      parts.set(isolateId, part);
      await this.ctx.storage.put(`part:${isolateId}`, part);
    }
    const others: Record<string, IsolatePart> = {};
    for (const [id, held] of parts) if (id !== isolateId) others[id] = held;
    return others;
  }

  /** Adds the key hashes an isolate found unknown (until when, epoch ms); returns every one still unknown when `read`. */
  async exchangeUnknownKeys(found: Array<[string, number]>, read = true): Promise<Array<[string, number]>> {
    const unknown = await this.loadUnknown();
    const now = Date.now();
    let changed = false;
    for (const [hash, until] of found) {
      if (until <= now || (unknown.get(hash) ?? 0) >= until) continue;
      unknown.delete(hash);
      unknown.set(hash, until);
      changed = true;
    }
    for (const [hash, until] of unknown) if (until <= now) (unknown.delete(hash), (changed = true));
    // The oldest first out: a flood of made-up keys costs store reads, never unbounded memory.
    while (unknown.size > MAX_UNKNOWN_KEYS) (unknown.delete(unknown.keys().next().value!), (changed = true));
    if (changed) await this.ctx.storage.put('unknown', [...unknown]);
    return read ? [...unknown] : [];
  }

  private async loadParts(): Promise<Map<string, IsolatePart>> {
    if (!this.parts) this.parts = new Map(await this.ctx.storage.list<IsolatePart>({ prefix: 'part:' }).then((held) => [...held].map(([key, part]) => [key.slice(5), part] as [string, IsolatePart])));
    return this.parts;
  }

  private async loadUnknown(): Promise<Map<string, number>> {
    if (!this.unknown) this.unknown = new Map((await this.ctx.storage.get<Array<[string, number]>>('unknown')) ?? []);
    return this.unknown;
  }
}

/** The health board of the colo this isolate runs in. */
export function healthBoard(namespace: DurableObjectNamespace<SharedHealth>, colo: string | undefined): HealthBoard {
  const name = healthBoardName(colo);
  return {
    tier: 'durable_object',
    // RPC's types widen tuples to arrays: the object returns what it was given.
    exchange: async (isolateId, part, horizonMs) => (await namespace.getByName(name).exchangeHealth(isolateId, part, horizonMs)) as Record<string, IsolatePart>,
  };
}
