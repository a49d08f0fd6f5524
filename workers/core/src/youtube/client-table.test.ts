import { describe, expect, it } from 'vitest';
import { CLIENT_TABLE_REFRESH_MS, effectiveClientTable, storedClientOverrides, type ClientOverrideReader, type StoredClientOverrides } from './client-table';

function changingStore(initial: StoredClientOverrides | null) {
  let value = initial;
  let reads = 0;
  const reader: ClientOverrideReader = {
    key: {},
    read: async () => {
      reads++;
      if (value === undefined) throw new Error('store down');
      return value;
    },
  };
  return { reader, set: (next: StoredClientOverrides | null | undefined) => (value = next as StoredClientOverrides | null), reads: () => reads };
}

const stored = (clientVersion: string): StoredClientOverrides => ({ overrides: { TV: { clientVersion } }, changedAt: '2026-12-06T19:00:00.000Z', changedBy: 'k1' });

describe('the stored client overrides in an isolate', () => {
  it('are read once per refresh period, and a change shows within it', async () => {
    const store = changingStore(stored('5.1'));
    const t0 = 1_000_000;
    expect((await storedClientOverrides(store.reader, undefined, t0))?.overrides.TV?.clientVersion).toBe('5.1');
    store.set(stored('5.2'));
    expect((await storedClientOverrides(store.reader, undefined, t0 + 1_000))?.overrides.TV?.clientVersion).toBe('5.1');
    expect(store.reads()).toBe(1);
    expect((await storedClientOverrides(store.reader, undefined, t0 + CLIENT_TABLE_REFRESH_MS + 1))?.overrides.TV?.clientVersion).toBe('5.2');
    expect(CLIENT_TABLE_REFRESH_MS).toBeLessThanOrEqual(60_000);
  });

  it('keep the last known value when the store cannot be read, never breaking the table', async () => {
    const store = changingStore(stored('5.3'));
    const t0 = 2_000_000;
    await storedClientOverrides(store.reader, undefined, t0);
    store.set(undefined);
    expect((await storedClientOverrides(store.reader, undefined, t0 + CLIENT_TABLE_REFRESH_MS + 1))?.overrides.TV?.clientVersion).toBe('5.3');
  });

  it('are ignored when they no longer fit the schema (a value stored before a deploy)', async () => {
    const store = changingStore({ overrides: { TV: { clientVersion: 'nonsense' } } as never, changedAt: 'x', changedBy: 'k' });
    const table = await effectiveClientTable({}, store.reader);
    expect(table.TV.context.clientVersion).toBe('5.20260707');
  });

  it('win over the setting in the effective table', async () => {
    const store = changingStore(stored('5.4'));
    const table = await effectiveClientTable({ TV: { clientVersion: '5.0', deviceModel: 'Box' } }, store.reader);
    expect(table.TV.context).toMatchObject({ clientVersion: '5.4', deviceModel: 'Box' });
  });
});
