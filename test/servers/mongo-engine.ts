import { randomBytes } from 'node:crypto';
import { aggregate, find, Query, update as applyUpdate } from 'mingo';

/**
 * In-memory collections with MongoDB semantics (mingo evaluates filters,
 * updates and pipelines) and unique indexes, for the Data API test server.
 * Every action runs synchronously, so each is atomic like a single-document
 * write on a real server.
 */

export type Doc = Record<string, unknown>;

export class ObjectId {
  constructor(readonly hex: string = randomBytes(12).toString('hex')) {}
  /** mingo compares custom types by toString. */
  toString(): string {
    return this.hex;
  }
}

export class DataApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    /** keyPattern and keyValue of a duplicate key, as the wire protocol reports them. */
    readonly extra?: Doc,
  ) {
    super(message);
  }
}

/** Unique indexes besides _id, per collection name: what the README tells operators to create. */
export const DEFAULT_UNIQUE_INDEXES: Record<string, string[][]> = {
  api_keys: [['key_hash']],
  api_logs: [['request_id']],
  cache_metadata: [['video_id', 'type']],
};

const UPDATE_OPERATORS = new Set(['$set', '$unset', '$inc', '$max', '$min', '$mul', '$rename', '$push', '$pull', '$addToSet', '$setOnInsert', '$currentDate', '$pop']);
const FORBIDDEN_STAGES = new Set(['$out', '$merge']);

export function cloneDoc<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value instanceof ObjectId) return value;
  if (Array.isArray(value)) return value.map(cloneDoc) as T;
  if (value !== null && typeof value === 'object') {
    const out: Doc = {};
    for (const [key, item] of Object.entries(value)) out[key] = cloneDoc(item);
    return out as T;
  }
  return value;
}

function indexKey(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, item) => {
    if (item instanceof ObjectId) return { $oid: item.hex };
    return item;
  });
}

function fieldOf(doc: Doc, path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Doc)[part] : undefined), doc);
}

export class Collection {
  docs: Doc[] = [];

  constructor(
    readonly namespace: string,
    readonly uniqueIndexes: string[][],
  ) {}

  /** Throws DuplicateKey as Atlas words it when `candidate` collides with another document. */
  checkUnique(candidate: Doc, ignore?: Doc): void {
    for (const fields of [['_id'], ...this.uniqueIndexes]) {
      const key = indexKey(fields.map((field) => fieldOf(candidate, field) ?? null));
      for (const other of this.docs) {
        if (other === ignore) continue;
        if (indexKey(fields.map((field) => fieldOf(other, field) ?? null)) === key) {
          // MongoDB's own index names: `_id_` for the primary key, `field_1_other_1` for the rest.
          const name = fields.length === 1 && fields[0] === '_id' ? '_id_' : fields.map((field) => `${field}_1`).join('_');
          const shown = fields.map((field) => `${field}: ${indexKey(fieldOf(candidate, field))}`).join(', ');
          throw new DataApiError(
            409,
            'DuplicateKey',
            `Duplicate key error: E11000 duplicate key error collection: ${this.namespace} index: ${name} dup key: { ${shown} }`,
            {
              keyPattern: Object.fromEntries(fields.map((field) => [field, 1])),
              keyValue: Object.fromEntries(fields.map((field) => [field, fieldOf(candidate, field) ?? null])),
            },
          );
        }
      }
    }
  }

  insert(document: Doc): unknown {
    const stored = cloneDoc(document);
    if (stored._id === undefined) stored._id = new ObjectId();
    this.checkUnique(stored);
    this.docs.push(stored);
    return stored._id;
  }

  find(filter: Doc, options: { projection?: Doc; sort?: Doc; skip?: number; limit?: number } = {}): Doc[] {
    const projection = options.projection && Object.keys(options.projection).length > 0 ? options.projection : undefined;
    let cursor = find(this.docs, filter, projection);
    if (options.sort && Object.keys(options.sort).length > 0) cursor = cursor.sort(options.sort as Record<string, 1 | -1>);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(options.limit);
    return cursor.all().map((doc) => cloneDoc(doc as Doc));
  }

  update(filter: Doc, update: Doc, options: { many: boolean; upsert: boolean }) {
    checkUpdateDocument(update);
    const query = new Query(filter);
    const matches = this.docs.filter((doc) => query.test(doc));
    const targets = options.many ? matches : matches.slice(0, 1);
    if (targets.length === 0) {
      if (!options.upsert) return { matchedCount: 0, modifiedCount: 0 };
      const created = equalityFields(filter);
      const { $setOnInsert, ...rest } = update;
      if (Object.keys(rest).length > 0) applyUpdate(created, rest as never);
      if ($setOnInsert) applyUpdate(created, { $set: $setOnInsert } as never);
      return { matchedCount: 0, modifiedCount: 0, upsertedId: this.insert(created) };
    }
    const { $setOnInsert: _ignored, ...onUpdate } = update;
    // Validate every change first, then commit, so a duplicate key writes nothing.
    const changed = targets.map((doc) => {
      const next = cloneDoc(doc);
      const fields = Object.keys(onUpdate).length > 0 ? applyUpdate(next, onUpdate as never) : [];
      if (indexKey(next._id) !== indexKey(doc._id)) {
        throw new DataApiError(400, 'InvalidParameter', "Performing an update on the path '_id' would modify the immutable field '_id'");
      }
      this.checkUnique(next, doc);
      return { doc, next, modified: fields.length > 0 };
    });
    for (const { doc, next } of changed) this.docs[this.docs.indexOf(doc)] = next;
    return { matchedCount: targets.length, modifiedCount: changed.filter((item) => item.modified).length };
  }

  delete(filter: Doc, many: boolean): number {
    const query = new Query(filter);
    const doomed = this.docs.filter((doc) => query.test(doc));
    const removed = new Set(many ? doomed : doomed.slice(0, 1));
    this.docs = this.docs.filter((doc) => !removed.has(doc));
    return removed.size;
  }

  aggregate(pipeline: Doc[]): Doc[] {
    for (const stage of pipeline) {
      const name = Object.keys(stage)[0] ?? '';
      if (FORBIDDEN_STAGES.has(name)) throw new DataApiError(400, 'InvalidParameter', `${name} is not allowed through the Data API`);
    }
    return aggregate(this.docs, withMongoSample(pipeline)).map((doc) => cloneDoc(doc as Doc));
  }
}

/**
 * mingo's `$sample` draws with replacement and always returns `size`
 * documents; MongoDB returns distinct documents, at most as many as there
 * are. The stage is rewritten to that (a random order, then a limit), in
 * `$facet` sub-pipelines too.
 */
function withMongoSample(pipeline: Doc[]): Doc[] {
  return pipeline.flatMap((stage): Doc[] => {
    if ('$sample' in stage) {
      const size = (stage.$sample as Doc | undefined)?.size;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) throw new DataApiError(400, 'InvalidParameter', 'size argument to $sample must be a positive integer');
      return [{ $set: { __sample_order: { $rand: {} } } }, { $sort: { __sample_order: 1 } }, { $limit: size }, { $unset: '__sample_order' }];
    }
    if ('$facet' in stage && stage.$facet && typeof stage.$facet === 'object') {
      const facets = Object.fromEntries(Object.entries(stage.$facet as Doc).map(([name, inner]) => [name, Array.isArray(inner) ? withMongoSample(inner as Doc[]) : inner]));
      return [{ $facet: facets }];
    }
    return [stage];
  });
}

function checkUpdateDocument(update: Doc): void {
  const keys = Object.keys(update);
  if (keys.length === 0) throw new DataApiError(400, 'InvalidParameter', "'update' must not be empty");
  for (const key of keys) {
    if (!key.startsWith('$')) throw new DataApiError(400, 'InvalidParameter', "Update document requires atomic operators");
    if (!UPDATE_OPERATORS.has(key)) throw new DataApiError(400, 'InvalidParameter', `Unknown modifier: ${key}`);
  }
}

/** An upsert starts from the filter's equality conditions, as MongoDB does. */
function equalityFields(filter: Doc): Doc {
  const out: Doc = {};
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const part of value) Object.assign(out, equalityFields(part as Doc));
      continue;
    }
    if (key.startsWith('$') || key.includes('.')) continue;
    const isOperator = value !== null && typeof value === 'object' && !(value instanceof Date) && !(value instanceof ObjectId) && !Array.isArray(value) && Object.keys(value).some((inner) => inner.startsWith('$'));
    if (!isOperator) out[key] = cloneDoc(value);
    else if ('$eq' in (value as Doc)) out[key] = cloneDoc((value as Doc).$eq);
  }
  return out;
}

export class Engine {
  private readonly collections = new Map<string, Collection>();

  constructor(private readonly uniqueIndexes: Record<string, string[][]> = DEFAULT_UNIQUE_INDEXES) {}

  collection(dataSource: string, database: string, name: string): Collection {
    const key = `${dataSource}\u0000${database}\u0000${name}`;
    let found = this.collections.get(key);
    if (!found) {
      found = new Collection(`${database}.${name}`, this.uniqueIndexes[name] ?? []);
      this.collections.set(key, found);
    }
    return found;
  }

  /** Drops every collection, or those of one database. */
  reset(database?: string): void {
    for (const key of [...this.collections.keys()]) {
      if (database === undefined || key.split('\u0000')[1] === database) this.collections.delete(key);
    }
  }

  dump(database: string, name: string): Doc[] {
    return [...this.collections.entries()]
      .filter(([key]) => key.split('\u0000')[1] === database && key.split('\u0000')[2] === name)
      .flatMap(([, collection]) => collection.docs.map(cloneDoc));
  }
}
