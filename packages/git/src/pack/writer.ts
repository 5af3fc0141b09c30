/**
 * Streaming pack writer. Stored zlib bytes are copied verbatim behind a fresh entry header;
 * stored deltas are reused as OFS_DELTA when their base is earlier in this pack (REF_DELTA if the
 * client did not ask for ofs-delta), as thin REF_DELTA when the client is known to have the base,
 * and otherwise resolved and deflated. No delta search on the request path (git-engine.md §4.5).
 */
import { sha1 } from "../objects/hash.js";
import { hexToBytes, type Oid } from "../objects/oid.js";
import { OFS_DELTA, PACK_TYPE, REF_DELTA } from "../objects/types.js";
import type { ObjectDb } from "../storage/object-db.js";
import { ObjectMissingError } from "../errors.js";
import { encodeEntryHeader, encodeOfsOffset } from "./entry.js";
import { deflate } from "./zlib.js";

export interface PackWriteOptions {
  ofsDelta: boolean;
  /** Objects the client has (it asked for thin-pack): usable as REF_DELTA bases outside the pack. */
  thinBases?: ReadonlySet<Oid>;
  onProgress?: (written: number, total: number, reused: number) => void;
}

export interface PackWriteStats {
  total: number;
  deltas: number;
  reused: number;
}

const CHUNK = 64 * 1024;

export async function* writePack(objects: readonly Oid[], odb: ObjectDb, opts: PackWriteOptions): AsyncGenerator<Uint8Array, PackWriteStats> {
  const hash = sha1();
  const offsets = new Map<Oid, number>();
  const inSet = new Set(objects);
  const stats: PackWriteStats = { total: objects.length, deltas: 0, reused: 0 };
  let offset = 0;
  let buf = new Uint8Array(CHUNK * 2);
  let len = 0;
  const out: Uint8Array[] = [];

  const push = (b: Uint8Array) => {
    hash.update(b);
    offset += b.length;
    if (len + b.length > buf.length) {
      if (len > 0) out.push(buf.slice(0, len));
      len = 0;
      if (b.length >= CHUNK) {
        out.push(b);
        return;
      }
    }
    buf.set(b, len);
    len += b.length;
    if (len >= CHUNK) {
      out.push(buf.slice(0, len));
      len = 0;
    }
  };

  const header = new Uint8Array(12);
  header.set([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2]);
  new DataView(header.buffer).setUint32(8, objects.length);
  push(header);

  const emit = async (oid: Oid) => {
    const s = await odb.stored(oid);
    if (!s) throw new ObjectMissingError(oid);
    const start = offset;
    if (s.base && offsets.has(s.base)) {
      if (opts.ofsDelta) {
        push(encodeEntryHeader(OFS_DELTA, s.deltaSize!));
        push(encodeOfsOffset(start - offsets.get(s.base)!));
      } else {
        push(encodeEntryHeader(REF_DELTA, s.deltaSize!));
        push(hexToBytes(s.base));
      }
      push(s.zdata);
      stats.deltas++;
      stats.reused++;
    } else if (s.base && opts.thinBases?.has(s.base)) {
      push(encodeEntryHeader(REF_DELTA, s.deltaSize!));
      push(hexToBytes(s.base));
      push(s.zdata);
      stats.deltas++;
      stats.reused++;
    } else if (s.base) {
      const o = await odb.read(oid);
      push(encodeEntryHeader(PACK_TYPE[o.type], o.data.length));
      push(deflate(o.data));
    } else {
      push(encodeEntryHeader(PACK_TYPE[s.type], s.size));
      push(s.zdata);
      stats.reused++;
    }
    offsets.set(oid, start);
  };

  let written = 0;
  for (const oid of objects) {
    if (offsets.has(oid)) continue;
    // Bases that are in this pack go first, so their deltas can point back at them.
    const chain: Oid[] = [oid];
    for (;;) {
      const s = await odb.stored(chain[chain.length - 1]!);
      const b = s?.base;
      if (!b || !inSet.has(b) || offsets.has(b) || chain.includes(b)) break;
      chain.push(b);
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      await emit(chain[i]!);
      written++;
    }
    opts.onProgress?.(written, objects.length, stats.reused);
    while (out.length) yield out.shift()!;
  }
  if (len > 0) out.push(buf.slice(0, len));
  buf = new Uint8Array(0);
  out.push(hash.digest());
  while (out.length) yield out.shift()!;
  return stats;
}
