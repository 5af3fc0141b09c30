/**
 * Streaming pack writer. Stored zlib bytes are copied verbatim behind a fresh entry header;
 * stored deltas are reused as OFS_DELTA when their base is earlier in this pack (REF_DELTA if the
 * client did not ask for ofs-delta), as thin REF_DELTA when the client is known to have the base,
 * and otherwise resolved and deflated. No delta search on the request path (docs/git-protocol.md "Pack generation").
 */
import { sha1 } from "../objects/hash.js";
import { hexToBytes, type Oid } from "../objects/oid.js";
import { OFS_DELTA, PACK_TYPE, REF_DELTA } from "../objects/types.js";
import type { ObjectDb } from "../storage/object-db.js";
import type { StoredObject } from "../storage/types.js";
import { ObjectMissingError } from "../errors.js";
import { encodeEntryHeader, encodeOfsOffset } from "./entry.js";
import { deflate } from "../io/zlib.js";

export interface PackWriteOptions {
  ofsDelta: boolean;
  /** Objects the client has (it asked for thin-pack): usable as REF_DELTA bases outside the pack. */
  thinBases?: ReadonlySet<Oid>;
  onProgress?: (written: number, total: number, reused: number) => void;
  /** Length of every yielded chunk but the last (default 64 KiB). */
  chunkSize?: number;
  /**
   * Bytes left free in front of every yielded chunk, inside its own buffer (the chunk is a view at
   * that offset), so a caller can write its framing there instead of copying the data again.
   */
  headroom?: number;
}

export interface PackWriteStats {
  total: number;
  deltas: number;
  reused: number;
}

const CHUNK = 64 * 1024;

/**
 * Every pack byte is copied once, into a fresh chunk buffer that is handed out whole (no re-slicing
 * or concatenation); each object's stored form is looked up once.
 */
export async function* writePack(objects: readonly Oid[], odb: ObjectDb, opts: PackWriteOptions): AsyncGenerator<Uint8Array, PackWriteStats> {
  const hash = sha1();
  const offsets = new Map<Oid, number>();
  const inSet = new Set(objects);
  const stats: PackWriteStats = { total: objects.length, deltas: 0, reused: 0 };
  const size = Math.max(1, opts.chunkSize ?? CHUNK);
  const room = Math.max(0, opts.headroom ?? 0);
  let offset = 0;
  let buf = new Uint8Array(room + size);
  let len = 0;
  const out: Uint8Array[] = [];

  const push = (b: Uint8Array) => {
    hash.update(b);
    offset += b.length;
    let p = 0;
    while (p < b.length) {
      const n = Math.min(size - len, b.length - p);
      buf.set(n === b.length ? b : b.subarray(p, p + n), room + len);
      len += n;
      p += n;
      if (len === size) {
        out.push(buf.subarray(room));
        buf = new Uint8Array(room + size);
        len = 0;
      }
    }
  };

  const header = new Uint8Array(12);
  header.set([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2]);
  new DataView(header.buffer).setUint32(8, objects.length);
  push(header);

  /** Copy a payload in chunk-sized slices, handing each full chunk out at once: a 30 MB object never sits in `out` whole. */
  const pushPayload = function* (data: Uint8Array) {
    for (let p = 0; p < data.length; p += size) {
      push(data.subarray(p, p + size));
      while (out.length) yield out.shift()!;
    }
  };

  const emit = async function* (oid: Oid, s: StoredObject) {
    const start = offset;
    if (s.base && offsets.has(s.base)) {
      if (opts.ofsDelta) {
        push(encodeEntryHeader(OFS_DELTA, s.deltaSize!));
        push(encodeOfsOffset(start - offsets.get(s.base)!));
      } else {
        push(encodeEntryHeader(REF_DELTA, s.deltaSize!));
        push(hexToBytes(s.base));
      }
      yield* pushPayload(s.zdata);
      stats.deltas++;
      stats.reused++;
    } else if (s.base && opts.thinBases?.has(s.base)) {
      push(encodeEntryHeader(REF_DELTA, s.deltaSize!));
      push(hexToBytes(s.base));
      yield* pushPayload(s.zdata);
      stats.deltas++;
      stats.reused++;
    } else if (s.base) {
      const o = await odb.resolve(oid, s);
      push(encodeEntryHeader(PACK_TYPE[o.type], o.data.length));
      yield* pushPayload(deflate(o.data));
    } else {
      push(encodeEntryHeader(PACK_TYPE[s.type], s.size));
      yield* pushPayload(s.zdata);
      stats.reused++;
    }
    offsets.set(oid, start);
  };

  const stored = async (oid: Oid): Promise<StoredObject> => {
    const s = await odb.stored(oid);
    if (!s) throw new ObjectMissingError(oid);
    return s;
  };

  let written = 0;
  const chain: Oid[] = [];
  const chainStored: StoredObject[] = [];
  for (const oid of objects) {
    if (offsets.has(oid)) continue;
    // Bases that are in this pack go first, so their deltas can point back at them.
    chain.length = chainStored.length = 0;
    chain.push(oid);
    chainStored.push(await stored(oid));
    for (;;) {
      const b = chainStored[chainStored.length - 1]!.base;
      if (!b || !inSet.has(b) || offsets.has(b) || chain.includes(b)) break;
      chain.push(b);
      chainStored.push(await stored(b));
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      yield* emit(chain[i]!, chainStored[i]!);
      written++;
    }
    opts.onProgress?.(written, objects.length, stats.reused);
    while (out.length) yield out.shift()!;
  }
  const trailer = hash.digest();
  for (const b of trailer) {
    buf[room + len++] = b;
    if (len === size) {
      out.push(buf.subarray(room));
      buf = new Uint8Array(room + size);
      len = 0;
    }
  }
  if (len > 0) out.push(buf.subarray(room, room + len));
  buf = new Uint8Array(0);
  while (out.length) yield out.shift()!;
  return stats;
}
