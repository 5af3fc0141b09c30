/**
 * What the engine needs from a repository's storage. Objects are kept in pack-entry form so a
 * clone can copy compressed bytes and client-made deltas verbatim ("pack reuse", docs/git-protocol.md "Pack-entry storage").
 *
 * Invariant every implementation keeps: a live object's whole closure is live. Pushed objects go
 * to a quarantine first and become live in the same transaction that moves the refs.
 */
import type { Oid } from "../objects/oid.js";
import type { ObjectType } from "../objects/types.js";

export interface StoredObject {
  /** The object's own type (for a delta: the type of the result). */
  type: ObjectType;
  /** Inflated size of the object. */
  size: number;
  /** A zlib stream: the object content, or, when `base` is set, delta instructions against `base`. */
  zdata: Uint8Array;
  base?: Oid;
  /** With `base`: the inflated length of the delta instructions in `zdata`. */
  deltaSize?: number;
  /** Delta chain length: 0 for a whole object, base depth + 1 for a delta. */
  depth: number;
}

export interface Ref {
  name: string;
  oid: Oid;
}

/** A compare-and-swap update: `old` ZERO_OID means "must not exist", `new` ZERO_OID means delete. */
export interface RefUpdate {
  name: string;
  old: Oid;
  new: Oid;
}

export type RefUpdateResult = { name: string; ok: true } | { name: string; ok: false; reason: string };

export interface ObjectStore {
  /** For each id, whether it is a live object. */
  hasMany(oids: readonly Oid[]): Promise<boolean[]>;
  get(oid: Oid): Promise<StoredObject | undefined>;
  /** Optional: objects' types without their payloads (undefined where absent); receive-pack checks links with it. */
  types?(oids: readonly Oid[]): Promise<Array<ObjectType | undefined>>;
}

/** Objects received by one push, invisible to readers until `commit` promotes them. */
export interface Quarantine extends ObjectStore {
  /** Add objects (batched; implementations may write them out immediately). */
  put(objects: ReadonlyArray<readonly [Oid, StoredObject]>): Promise<void>;
}

export interface RepoStore extends ObjectStore {
  listRefs(): Promise<Ref[]>;
  readRef(name: string): Promise<Oid | undefined>;
  /** HEAD's symbolic target, e.g. "refs/heads/main" (it may point to an unborn branch). */
  getHead(): Promise<string>;
  setHead(target: string): Promise<void>;
  /** Write live objects directly (for callers that guarantee closure, e.g. commits built by the binding). */
  putObjects(objects: ReadonlyArray<readonly [Oid, StoredObject]>): Promise<void>;
  beginQuarantine(): Promise<Quarantine>;
  /**
   * In one transaction: check each update's `old` against the current value and apply it; with
   * `atomic`, apply all or none (failures other than the first get "atomic push failure").
   * If any update applies, the quarantine's objects become live; otherwise they are discarded.
   */
  commit(quarantine: Quarantine | undefined, updates: readonly RefUpdate[], opts: { atomic: boolean }): Promise<RefUpdateResult[]>;
  /** Discard a quarantine without touching refs. */
  abort(quarantine: Quarantine): Promise<void>;
  /**
   * A shallow repository's boundary (git's `.git/shallow`): commits whose parents it does not
   * have, e.g. after a shallow import. Absent or empty: the repository is complete.
   */
  shallow?(): Promise<Oid[]>;
}
