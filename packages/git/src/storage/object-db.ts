/**
 * Reads whole objects out of a store: inflates and resolves delta chains, with a byte-budgeted LRU
 * of resolved objects so walks and chains do not re-inflate the same bases. One per request.
 */
import type { Oid } from "../objects/oid.js";
import type { GitObject, ObjectType } from "../objects/types.js";
import { ObjectMissingError, PackCorruptError } from "../errors.js";
import { applyDelta } from "../objects/delta.js";
import { inflateExact } from "../io/zlib.js";
import { parseCommit, commitTime, type Commit } from "../objects/commit.js";
import { parseTree, scanTree, type TreeEntry } from "../objects/tree.js";
import { parseTag, type Tag } from "../objects/tag.js";
import type { ObjectStore, StoredObject } from "./types.js";
import { LruCache } from "./lru.js";

export interface CommitInfo {
  oid: Oid;
  tree: Oid;
  parents: Oid[];
  time: number;
}

/** A tree's entry ids in order, with their kinds (TREE_ENTRY_* of objects/tree.ts); no names. */
export interface TreeLinks {
  oids: Oid[];
  kinds: Uint8Array;
}

export class ObjectDb {
  private cache: LruCache<GitObject>;
  private commits = new Map<Oid, CommitInfo>();
  private trees = new LruCache<TreeEntry[]>(8 * 1024 * 1024);
  /**
   * The repository's shallow commits, walked as having no parents (git's shallow grafts): every
   * history walk stops there instead of reaching for parents the repository does not have.
   */
  shallow: ReadonlySet<Oid> = new Set();

  /** `stores` are searched in order (e.g. a push's quarantine, then the live store). */
  constructor(
    readonly stores: readonly ObjectStore[],
    cacheBytes = 24 * 1024 * 1024,
  ) {
    this.cache = new LruCache(cacheBytes);
  }

  /** Put a resolved object in the cache (ingest has the content in hand already). */
  remember(oid: Oid, o: GitObject) {
    this.cache.set(oid, o, o.data.length);
  }

  async stored(oid: Oid): Promise<StoredObject | undefined> {
    for (const s of this.stores) {
      const o = await s.get(oid);
      if (o) return o;
    }
    return undefined;
  }

  async has(oid: Oid): Promise<boolean> {
    if (this.cache.has(oid)) return true;
    for (const s of this.stores) if ((await s.hasMany([oid]))[0]) return true;
    return false;
  }

  async read(oid: Oid): Promise<GitObject> {
    const o = await this.tryRead(oid);
    if (!o) throw new ObjectMissingError(oid);
    return o;
  }

  async tryRead(oid: Oid): Promise<GitObject | undefined> {
    const hit = this.cache.get(oid);
    if (hit) return hit;
    const s = await this.stored(oid);
    if (!s) return undefined;
    return this.resolve(oid, s);
  }

  /** Resolve a stored representation (iteratively, so long delta chains don't recurse deeply). */
  async resolve(oid: Oid, s: StoredObject): Promise<GitObject> {
    const hit = this.cache.get(oid);
    if (hit) return hit;
    const chain: Array<[Oid, StoredObject]> = [[oid, s]];
    let base: GitObject | undefined;
    while (chain[chain.length - 1]![1].base) {
      const b = chain[chain.length - 1]![1].base!;
      base = this.cache.get(b);
      if (base) break;
      const bs = await this.stored(b);
      if (!bs) throw new ObjectMissingError(b);
      chain.push([b, bs]);
      if (chain.length > 10_000) throw new PackCorruptError("delta chain too long or cyclic");
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const [id, so] = chain[i]!;
      let data: Uint8Array;
      if (so.base) {
        if (!base) throw new ObjectMissingError(so.base);
        const delta = inflateExact(so.zdata, so.deltaSize ?? 0);
        data = applyDelta(base.data, delta);
      } else {
        data = inflateExact(so.zdata, so.size);
      }
      if (data.length !== so.size) throw new PackCorruptError(`object ${id}: size mismatch`);
      base = { type: so.type, data };
      this.cache.set(id, base, data.length);
    }
    return base!;
  }

  async commit(oid: Oid): Promise<CommitInfo> {
    const c = this.commits.get(oid);
    if (c) return c;
    const o = await this.read(oid);
    if (o.type !== "commit") throw new PackCorruptError(`object ${oid} is a ${o.type}, not a commit`);
    const parsed = parseCommit(o.data);
    const info = { oid, tree: parsed.tree, parents: this.shallow.has(oid) ? [] : parsed.parents, time: commitTime(parsed) };
    this.commits.set(oid, info);
    return info;
  }

  async fullCommit(oid: Oid): Promise<Commit> {
    const o = await this.read(oid);
    if (o.type !== "commit") throw new PackCorruptError(`object ${oid} is a ${o.type}, not a commit`);
    return parseCommit(o.data);
  }

  async tree(oid: Oid): Promise<TreeEntry[]> {
    const t = this.trees.get(oid);
    if (t) return t;
    const o = await this.read(oid);
    if (o.type !== "tree") throw new PackCorruptError(`object ${oid} is a ${o.type}, not a tree`);
    const entries = parseTree(o.data);
    this.trees.set(oid, entries, o.data.length * 2 + 64);
    return entries;
  }

  /**
   * A tree's entry ids and kinds, for walks (cheaper than `tree`: names are not decoded). Not cached:
   * walks visit each tree once, and keeping every entry id of a repository's trees alive for the
   * whole request made a clone's JS heap grow by ~20 MiB (the resolved tree bytes stay in the LRU).
   */
  async treeLinks(oid: Oid): Promise<TreeLinks> {
    const o = await this.read(oid);
    if (o.type !== "tree") throw new PackCorruptError(`object ${oid} is a ${o.type}, not a tree`);
    const oids: Oid[] = [];
    const kinds: number[] = [];
    scanTree(o.data, (id, kind) => {
      oids.push(id);
      kinds.push(kind);
    });
    return { oids, kinds: Uint8Array.from(kinds) };
  }

  async tag(oid: Oid): Promise<Tag> {
    const o = await this.read(oid);
    if (o.type !== "tag") throw new PackCorruptError(`object ${oid} is a ${o.type}, not a tag`);
    return parseTag(o.data);
  }

  async type(oid: Oid): Promise<ObjectType | undefined> {
    const hit = this.cache.get(oid);
    if (hit) return hit.type;
    return (await this.stored(oid))?.type;
  }

  /** Follow annotated tags to the first non-tag object. */
  async peel(oid: Oid): Promise<{ oid: Oid; type: ObjectType } | undefined> {
    for (let i = 0; i < 100; i++) {
      const t = await this.type(oid);
      if (!t) return undefined;
      if (t !== "tag") return { oid, type: t };
      oid = (await this.tag(oid)).object;
    }
    return undefined;
  }
}
