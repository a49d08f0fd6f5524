import type { ClientOverrideReader } from '../../../core/src/youtube/client-table';
import type { ClientTableStore } from './client-table-store';

/** The API Worker's side of the stored overrides: one ClientTableStore object, by name. */
export const CLIENT_TABLE_OBJECT = 'client-table';

const readers = new WeakMap<object, ClientOverrideReader>();

/** One reader per namespace binding, so the isolate's cache (client-table.ts) is keyed by it; none without the binding. */
export function clientTableReader(namespace: DurableObjectNamespace<ClientTableStore> | undefined): ClientOverrideReader | undefined {
  if (!namespace) return undefined;
  let reader = readers.get(namespace);
  if (!reader) {
    reader = { key: namespace, read: () => namespace.getByName(CLIENT_TABLE_OBJECT).current() };
    readers.set(namespace, reader);
  }
  return reader;
}

export function clientTableStore(namespace: DurableObjectNamespace<ClientTableStore>) {
  return namespace.getByName(CLIENT_TABLE_OBJECT);
}
