/**
 * Pack ingestion (receive-pack, import): stream a pack into a quarantine, resolving deltas as it
 * goes. Whole objects keep the received zlib bytes verbatim; deltas keep their compressed
 * instructions plus the base id, unless the chain would grow past MAX_DELTA_DEPTH (then the
 * resolved object is stored whole), so later clones can reuse them (git-engine.md §4.4).
 */
import type { ByteReader } from "../io/byte-reader.js";
import { hashObject } from "../objects/hash.js";
import type { Oid } from "../objects/oid.js";
import { OFS_DELTA, REF_DELTA, typeFromPackNumber, type ObjectType } from "../objects/types.js";
import { parseCommit } from "../objects/commit.js";
import { parseTree, scanTree, TREE_ENTRY_GITLINK } from "../objects/tree.js";
import { parseTag } from "../objects/tag.js";
import { GitFormatError, PackCorruptError } from "../errors.js";
import type { ObjectStore, Quarantine, StoredObject } from "../storage/types.js";
import { ObjectDb } from "../storage/object-db.js";
import { readPack, type PackReadOptions } from "./reader.js";
import { applyDelta } from "./delta.js";
import { deflate } from "./zlib.js";

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
  /** Record the links of every object and report `selfContained` and `inPack` (receive-pack's connectivity check). */
  checkLinks?: boolean;
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

const noLink = (_oid: Oid) => {};

/** validateObject, also reporting the object's links (gitlinks excluded) to `link`. */
function checkObject(oid: Oid, type: ObjectType, data: Uint8Array, link: (oid: Oid) => void): void {
  try {
    if (type === "tree") {
      scanTree(data, (id, kind) => {
        if (kind !== TREE_ENTRY_GITLINK) link(id);
      });
    } else if (type === "commit") {
      const c = parseCommit(data);
      link(c.tree);
      for (const p of c.parents) link(p);
    } else if (type === "tag") {
      link(parseTag(data).object);
    }
  } catch (e) {
    throw new GitFormatError(`invalid ${type} ${oid}: ${(e as Error).message}`);
  }
}

/** A membership test that keeps only `m` alive (a closure inside ingestPack would keep its whole scope, LRU included). */
const memberOf = (m: ReadonlyMap<Oid, unknown>) => (oid: Oid) => m.has(oid);

interface Resolved {
  oid: Oid;
  depth: number;
}

interface PendingDelta {
  offset: number;
  data: Uint8Array;
  zdata: Uint8Array;
}

export async function ingestPack(r: ByteReader, live: ObjectStore, q: Quarantine, opts: IngestOptions = {}): Promise<IngestStats> {
  const batch = new Batch();
  const odb = new ObjectDb([batch, q, live]);
  const byOffset = new Map<number, Resolved>();
  const inPack = new Map<Oid, number>(); // oid -> depth, for objects of this pack
  const waiting = new Map<string, PendingDelta[]>(); // "@offset" or oid -> deltas on that base
  let waitingCount = 0;
  const stats: IngestStats = { objects: 0, deltas: 0, added: 0 };
  // Link targets not seen in the pack so far (with checkLinks): checked against live objects at the end.
  const pending = new Set<Oid>();
  const link = opts.checkLinks
    ? (target: Oid) => {
        if (!inPack.has(target)) pending.add(target);
      }
    : noLink;

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
    pending.delete(oid);
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
    const data = applyDelta(b.data, d.data);
    const oid = hashObject(b.type, data);
    checkObject(oid, b.type, data, link);
    odb.remember(oid, { type: b.type, data });
    let depth = bd + 1;
    let stored: StoredObject;
    if (depth > MAX_DELTA_DEPTH) {
      depth = 0;
      stored = { type: b.type, size: data.length, zdata: deflate(data), depth: 0 };
    } else {
      stored = { type: b.type, size: data.length, zdata: d.zdata, base, deltaSize: d.data.length, depth };
    }
    await stage(oid, stored);
    stats.deltas++;
    return { oid, depth };
  };

  const gen = readPack(r, opts);
  let total = 0;
  for (;;) {
    const next = await gen.next();
    if (next.done) {
      total = next.value.count;
      break;
    }
    const e = next.value;
    stats.objects++;
    opts.onProgress?.("receiving", stats.objects, 0);
    if (e.packType === OFS_DELTA || e.packType === REF_DELTA) {
      const pending: PendingDelta = { offset: e.offset, data: e.data, zdata: e.zdata };
      let base: Oid | undefined;
      let bd = 0;
      if (e.packType === OFS_DELTA) {
        const b = byOffset.get(e.baseOffset!);
        if (b) (base = b.oid), (bd = b.depth);
      } else if (inPack.has(e.baseOid!) || (await odb.has(e.baseOid!))) {
        base = e.baseOid!;
        bd = await baseDepth(base);
      }
      if (base) {
        const res = await applyOne(base, bd, pending);
        await resolved(e.offset, res.oid, res.depth);
      } else {
        const key = e.packType === OFS_DELTA ? "@" + e.baseOffset : e.baseOid!;
        const list = waiting.get(key) ?? [];
        list.push(pending);
        waiting.set(key, list);
        waitingCount++;
      }
      continue;
    }
    const type = typeFromPackNumber(e.packType)!;
    const oid = hashObject(type, e.data);
    checkObject(oid, type, e.data, link);
    odb.remember(oid, { type, data: e.data });
    await stage(oid, { type, size: e.data.length, zdata: e.zdata, depth: 0 });
    await resolved(e.offset, oid, 0);
  }
  if (waitingCount > 0) throw new PackCorruptError(`pack has ${waitingCount} unresolved delta${waitingCount === 1 ? "" : "s"}`);
  await flush();
  if (opts.checkLinks) {
    let selfContained = true;
    const rest = [...pending];
    pending.clear();
    for (let i = 0; i < rest.length && selfContained; i += 256) {
      const part = rest.slice(i, i + 256);
      if ((await live.hasMany(part)).includes(false)) selfContained = false;
    }
    stats.selfContained = selfContained;
    stats.inPack = memberOf(inPack);
  }
  opts.onProgress?.("resolving", stats.deltas, stats.deltas);
  void total;
  return stats;
}
