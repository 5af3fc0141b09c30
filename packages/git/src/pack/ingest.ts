/**
 * Pack ingestion (receive-pack, import): stream a pack into a quarantine, resolving deltas as it
 * goes. Whole objects keep the received zlib bytes verbatim; deltas keep their compressed
 * instructions plus the base id, unless the chain would grow past MAX_DELTA_DEPTH (then the
 * resolved object is stored whole), so later clones can reuse them (docs/git-protocol.md "Receive-pack").
 * For receive-pack every object also passes git's strict fsck and every link's target type is
 * checked; no size a client declares is allocated before it is checked against the object limit
 * (docs/contract-choices.md, "Git engine: what a push may bring and what is offered").
 */
import type { ByteReader } from "../io/byte-reader.js";
import { hashObject } from "../objects/hash.js";
import type { Oid } from "../objects/oid.js";
import { OFS_DELTA, REF_DELTA, typeFromPackNumber, type ObjectType } from "../objects/types.js";
import { parseCommit } from "../objects/commit.js";
import { parseTree, scanTree, TREE_ENTRY_GITLINK, TREE_ENTRY_TREE } from "../objects/tree.js";
import { fsckObject, ObjectTypeError } from "../objects/fsck.js";
import { parseTag } from "../objects/tag.js";
import { GitFormatError, LimitExceededError, PackCorruptError } from "../errors.js";
import type { ObjectStore, Quarantine, StoredObject } from "../storage/types.js";
import { ObjectDb } from "../storage/object-db.js";
import { readPack, type PackReadOptions } from "./reader.js";
import { applyDelta, DEFAULT_MAX_OBJECT_SIZE } from "../objects/delta.js";
import { deflate, inflateExact } from "../io/zlib.js";

export const MAX_DELTA_DEPTH = 50;

export interface IngestStats {
  objects: number;
  deltas: number;
  /** Objects added to the quarantine (duplicates of live objects are skipped). */
  added: number;
  /**
   * With `checkLinks`: true when every object of the pack links (tree, parents, entries, tag
   * target; not gitlinks) only to objects of the pack or live ones. Then any tip that is in the
   * pack or live has its whole closure in the pack or live, and no connectivity walk is needed.
   */
  selfContained?: boolean;
  /** With `checkLinks`: whether an object was in the pack (including duplicates of live objects). */
  inPack?: (oid: Oid) => boolean;
}

export interface IngestOptions extends PackReadOptions {
  onProgress?: (phase: "receiving" | "resolving", done: number, total: number) => void;
  /**
   * Record the links of every object, check each target has the type its link requires, and
   * report `selfContained` and `inPack` (receive-pack's connectivity check).
   */
  checkLinks?: boolean;
  /** Refuse objects git's strict fsck refuses (receive-pack with transfer.fsckObjects). */
  fsck?: boolean;
}

/** Objects waiting to be written to the quarantine, still readable while buffered. */
class Batch implements ObjectStore {
  items = new Map<Oid, StoredObject>();
  bytes = 0;
  async hasMany(oids: readonly Oid[]) {
    return oids.map((o) => this.items.has(o));
  }
  async get(oid: Oid) {
    return this.items.get(oid);
  }
}

export function validateObject(oid: Oid, type: ObjectType, data: Uint8Array): void {
  try {
    if (type === "commit") parseCommit(data);
    else if (type === "tree") parseTree(data);
    else if (type === "tag") parseTag(data);
  } catch (e) {
    throw new GitFormatError(`invalid ${type} ${oid}: ${(e as Error).message}`);
  }
}

type Link = (target: Oid, expected: ObjectType, fromCommitOrTag: boolean) => void;
const noLink: Link = () => {};

/**
 * validateObject (plus git's strict fsck with `fsck`), reporting the object's links (gitlinks
 * excluded) to `link` with the type each target must have.
 */
function checkObject(oid: Oid, type: ObjectType, data: Uint8Array, link: Link, fsck: boolean): void {
  if (fsck) fsckObject(oid, type, data);
  try {
    if (type === "tree") {
      scanTree(data, (id, kind) => {
        if (kind !== TREE_ENTRY_GITLINK) link(id, kind === TREE_ENTRY_TREE ? "tree" : "blob", false);
      });
    } else if (type === "commit") {
      const c = parseCommit(data);
      link(c.tree, "tree", true);
      for (const p of c.parents) link(p, "commit", true);
    } else if (type === "tag") {
      const t = parseTag(data);
      link(t.object, t.type, true);
    }
  } catch (e) {
    throw new GitFormatError(`invalid ${type} ${oid}: ${(e as Error).message}`);
  }
}

const typeMismatch = (oid: Oid, is: ObjectType, want: ObjectType) => new ObjectTypeError(`object ${oid} is a ${is}, not a ${want}`);

/** A membership test that keeps only `m` alive (a closure inside ingestPack would keep its whole scope, LRU included). */
const memberOf = (m: ReadonlyMap<Oid, unknown>) => (oid: Oid) => m.has(oid);

interface Resolved {
  oid: Oid;
  depth: number;
}

interface PendingDelta {
  offset: number;
  /** The inflated instructions while in hand; a delta left waiting for its base keeps only `zdata`. */
  data?: Uint8Array;
  size: number;
  zdata: Uint8Array;
}

export async function ingestPack(r: ByteReader, live: ObjectStore, q: Quarantine, opts: IngestOptions = {}): Promise<IngestStats> {
  const maxObjectSize = opts.maxObjectSize ?? DEFAULT_MAX_OBJECT_SIZE;
  const batch = new Batch();
  const odb = new ObjectDb([batch, q, live]);
  const byOffset = new Map<number, Resolved>();
  const inPack = new Map<Oid, number>(); // oid -> depth, for objects of this pack
  const waiting = new Map<string, PendingDelta[]>(); // "@offset" or oid -> deltas on that base
  let waitingCount = 0;
  let waitingBytes = 0; // declared inflated sizes of the waiting deltas
  const stats: IngestStats = { objects: 0, deltas: 0, added: 0 };
  // With checkLinks: the type of every object of the pack, and link targets not seen in the pack so
  // far with the type they must have (checked when they arrive, or against live objects at the end).
  const typeOf = new Map<Oid, ObjectType>();
  const pending = new Map<Oid, { type: ObjectType; verifyLive: boolean }>();
  const link: Link = opts.checkLinks
    ? (target, expected, verifyLive) => {
        const t = typeOf.get(target);
        if (t !== undefined) {
          if (t !== expected) throw typeMismatch(target, t, expected);
        } else {
          const p = pending.get(target);
          if (!p) pending.set(target, { type: expected, verifyLive });
          else if (p.type !== expected) throw new ObjectTypeError(`object ${target} is linked to as a ${p.type} and as a ${expected}`);
          else if (verifyLive) p.verifyLive = true;
        }
      }
    : noLink;
  const fsck = opts.fsck === true;

  // Duplicates of live objects are dropped here, with one hasMany per batch rather than per object.
  const flush = async () => {
    if (batch.items.size === 0) return;
    const items = [...batch.items];
    const isLive = await live.hasMany(items.map(([oid]) => oid));
    const fresh = items.filter((_, i) => !isLive[i]);
    stats.added += fresh.length;
    if (fresh.length) await q.put(fresh);
    batch.items.clear();
    batch.bytes = 0;
  };

  const stage = async (oid: Oid, o: StoredObject) => {
    if (inPack.has(oid)) return;
    inPack.set(oid, o.depth);
    if (opts.checkLinks) {
      typeOf.set(oid, o.type);
      const want = pending.get(oid);
      if (want && want.type !== o.type) throw typeMismatch(oid, o.type, want.type);
      pending.delete(oid);
    }
    batch.items.set(oid, o);
    batch.bytes += o.zdata.length + 100;
    if (batch.items.size >= 512 || batch.bytes >= 4 * 1024 * 1024) await flush();
  };

  const baseDepth = async (oid: Oid): Promise<number> => inPack.get(oid) ?? (await odb.stored(oid))?.depth ?? 0;

  const resolved = async (offset: number, oid: Oid, depth: number) => {
    byOffset.set(offset, { oid, depth });
    // Deltas that were waiting on this base (delta-before-base packs, or chains through them).
    const stack: Array<{ base: Oid; baseDepthV: number; d: PendingDelta }> = [];
    const take = (key: string, base: Oid, bd: number) => {
      const list = waiting.get(key);
      if (!list) return;
      waiting.delete(key);
      waitingCount -= list.length;
      for (const d of list) waitingBytes -= d.size;
      for (const d of list) stack.push({ base, baseDepthV: bd, d });
    };
    take("@" + offset, oid, depth);
    take(oid, oid, depth);
    while (stack.length) {
      const { base, baseDepthV, d } = stack.pop()!;
      const res = await applyOne(base, baseDepthV, d);
      byOffset.set(d.offset, res);
      take("@" + d.offset, res.oid, res.depth);
      take(res.oid, res.oid, res.depth);
    }
  };

  const applyOne = async (base: Oid, bd: number, d: PendingDelta): Promise<Resolved> => {
    const b = await odb.read(base);
    // Deltas waiting on a base hold only their compressed bytes: many small zlib streams that each
    // inflate to the size limit must not all be held inflated at once.
    const data = applyDelta(b.data, d.data ?? inflateExact(d.zdata, d.size), maxObjectSize);
    const oid = hashObject(b.type, data);
    checkObject(oid, b.type, data, link, fsck);
    odb.remember(oid, { type: b.type, data });
    let depth = bd + 1;
    let stored: StoredObject;
    if (depth > MAX_DELTA_DEPTH) {
      depth = 0;
      stored = { type: b.type, size: data.length, zdata: deflate(data), depth: 0 };
    } else {
      stored = { type: b.type, size: data.length, zdata: d.zdata, base, deltaSize: d.size, depth };
    }
    await stage(oid, stored);
    stats.deltas++;
    return { oid, depth };
  };

  // Deltas whose base has not arrived (yet) are inflated only to find where they end, and wait: git
  // writes bases first, so a pack that makes more than half the object limit's worth of deltas wait
  // is refused before inflating more (inflating one costs up to twice its size, all of it garbage).
  const onEntryHeader = async (h: { packType: number; size: number; baseOffset?: number; baseOid?: Oid }) => {
    if (h.packType !== OFS_DELTA && h.packType !== REF_DELTA) return;
    const known = h.packType === OFS_DELTA ? byOffset.has(h.baseOffset!) : inPack.has(h.baseOid!) || (await odb.has(h.baseOid!));
    if (known) return;
    waitingBytes += h.size;
    if (waitingBytes > maxObjectSize / 2)
      throw new LimitExceededError(`pack has more than ${Math.floor(maxObjectSize / 2)} bytes of deltas waiting for bases it has not sent`);
  };
  const gen = readPack(r, { ...opts, onEntryHeader });
  for (;;) {
    const next = await gen.next();
    if (next.done) break;
    const e = next.value;
    stats.objects++;
    opts.onProgress?.("receiving", stats.objects, 0);
    if (e.packType === OFS_DELTA || e.packType === REF_DELTA) {
      const pd: PendingDelta = { offset: e.offset, data: e.data, size: e.data.length, zdata: e.zdata };
      let base: Oid | undefined;
      let bd = 0;
      if (e.packType === OFS_DELTA) {
        const b = byOffset.get(e.baseOffset!);
        if (b) {
          base = b.oid;
          bd = b.depth;
        }
      } else if (inPack.has(e.baseOid!) || (await odb.has(e.baseOid!))) {
        base = e.baseOid!;
        bd = await baseDepth(base);
      }
      if (base) {
        const res = await applyOne(base, bd, pd);
        await resolved(e.offset, res.oid, res.depth);
      } else {
        const key = e.packType === OFS_DELTA ? "@" + e.baseOffset : e.baseOid!;
        const list = waiting.get(key) ?? [];
        delete pd.data;
        list.push(pd);
        waiting.set(key, list);
        waitingCount++;
      }
      continue;
    }
    const type = typeFromPackNumber(e.packType)!;
    const oid = hashObject(type, e.data);
    checkObject(oid, type, e.data, link, fsck);
    odb.remember(oid, { type, data: e.data });
    await stage(oid, { type, size: e.data.length, zdata: e.zdata, depth: 0 });
    await resolved(e.offset, oid, 0);
  }
  if (waitingCount > 0) throw new PackCorruptError(`pack has ${waitingCount} unresolved delta${waitingCount === 1 ? "" : "s"}`);
  await flush();
  if (opts.checkLinks) {
    let selfContained = true;
    const rest = [...pending.keys()];
    for (let i = 0; i < rest.length && selfContained; i += 256) {
      const part = rest.slice(i, i + 256);
      if ((await live.hasMany(part)).includes(false)) selfContained = false;
    }
    // Link targets that are live must have the type their link requires. With a store that reads
    // types alone, every one is checked; otherwise only commits' trees and parents and tags' targets
    // (few per push: tree entries may point at thousands of live objects, too many to read whole).
    const entries = [...pending];
    if (live.types) {
      for (let i = 0; i < entries.length; i += 256) {
        const part = entries.slice(i, i + 256);
        const types = await live.types(part.map(([oid]) => oid));
        part.forEach(([oid, want], k) => {
          const t = types[k];
          if (t !== undefined && t !== want.type) throw typeMismatch(oid, t, want.type);
        });
      }
    } else {
      for (const [oid, want] of entries) {
        if (!want.verifyLive) continue;
        const o = await live.get(oid);
        if (o && o.type !== want.type) throw typeMismatch(oid, o.type, want.type);
      }
    }
    pending.clear();
    stats.selfContained = selfContained;
    stats.inPack = memberOf(inPack);
  }
  opts.onProgress?.("resolving", stats.deltas, stats.deltas);
  return stats;
}
