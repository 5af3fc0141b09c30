/**
 * Streaming pack parser (gitformat-pack "pack-*.pack files have the following format"):
 * "PACK", version 2, object count, entries, then a SHA-1 of everything before it.
 * Memory: the current entry's compressed and inflated bytes plus the read window; the pack as a
 * whole is never buffered. Every failure is a PackCorruptError or LimitExceededError.
 */
import type { ByteReader } from "../io/byte-reader.js";
import { sha1 } from "../objects/hash.js";
import { bytesToHex, type Oid } from "../objects/oid.js";
import { OFS_DELTA, REF_DELTA } from "../objects/types.js";
import { LimitExceededError, PackCorruptError } from "../errors.js";
import { decodeEntryHeader, decodeOfsOffset } from "./entry.js";
import { inflateEntry } from "../io/zlib.js";
import { DEFAULT_MAX_OBJECT_SIZE } from "../objects/delta.js";

export interface PackEntry {
  /** Offset of the entry header from the start of the pack. */
  offset: number;
  /** Pack type number: 1-4 for whole objects, 6 OFS_DELTA, 7 REF_DELTA. */
  packType: number;
  /** OFS_DELTA: absolute pack offset of the base entry. */
  baseOffset?: number;
  /** REF_DELTA: id of the base object (may be outside the pack: a thin pack). */
  baseOid?: Oid;
  /** Inflated bytes: the object content, or the delta instructions. */
  data: Uint8Array;
  /** The entry's zlib stream exactly as received, kept for verbatim reuse. */
  zdata: Uint8Array;
}

export interface PackReadOptions {
  maxObjectSize?: number;
  maxObjects?: number;
  /** Sees each entry's header before its data is inflated; throwing refuses the pack there. */
  onEntryHeader?: (h: { offset: number; packType: number; size: number; baseOffset?: number; baseOid?: Oid }) => void | Promise<void>;
}

export { DEFAULT_MAX_OBJECT_SIZE };

/**
 * The longest zlib stream a `size`-byte object may have: deflate's worst case (stored blocks) is the
 * data plus 5 bytes per 16 KiB block and a few more; an eighth on top leaves room for any encoder.
 */
export function maxZlibLength(size: number): number {
  return size + (size >> 3) + 1024;
}

export async function readPackHeader(r: ByteReader): Promise<number> {
  if (!(await r.fill(12))) throw new PackCorruptError(r.buffered === 0 ? "missing pack data" : "truncated pack header");
  const h = r.consume(12);
  if (h[0] !== 0x50 || h[1] !== 0x41 || h[2] !== 0x43 || h[3] !== 0x4b) throw new PackCorruptError("protocol error (pack signature mismatch detected)");
  const version = (h[4]! << 24) | (h[5]! << 16) | (h[6]! << 8) | h[7]!;
  if (version !== 2 && version !== 3) throw new PackCorruptError(`pack version ${version} unsupported`);
  return ((h[8]! << 24) | (h[9]! << 16) | (h[10]! << 8) | h[11]!) >>> 0;
}

/**
 * Yield every entry of the pack at the reader's position, then verify the trailer. The generator
 * throws instead of finishing if the pack is truncated, corrupt, or has junk after the trailer.
 */
export async function* readPack(r: ByteReader, opts: PackReadOptions = {}): AsyncGenerator<PackEntry, { count: number; checksum: Oid }> {
  const maxSize = opts.maxObjectSize ?? DEFAULT_MAX_OBJECT_SIZE;
  const hash = sha1();
  r.onConsume = (b) => hash.update(b);
  const packStart = r.offset;
  try {
    const count = await readPackHeader(r);
    if (opts.maxObjects !== undefined && count > opts.maxObjects)
      throw new LimitExceededError(`pack has ${count} objects, more than the limit of ${opts.maxObjects}`);
    for (let i = 0; i < count; i++) {
      const offset = r.offset - packStart;
      // Entry header: at most 10 bytes of type/size plus 20 of base id or ~10 of offset.
      if (r.buffered < 32) await r.fill(32); // (no promise per entry while the window holds enough)
      let view = r.peek();
      const hdr = decodeEntryHeader(view, 0);
      if (!hdr) throw new PackCorruptError(`truncated pack (object ${i + 1} of ${count} missing)`);
      const { type, size } = hdr;
      if (type === 0 || type === 5) throw new PackCorruptError(`invalid object type ${type} at offset ${offset}`);
      if (size > maxSize) throw new LimitExceededError(`object at offset ${offset} declares ${size} bytes, over the limit of ${maxSize}`);
      let hlen = hdr.length;
      let baseOffset: number | undefined;
      let baseOid: Oid | undefined;
      if (type === OFS_DELTA) {
        const o = decodeOfsOffset(view, hlen);
        if (!o) throw new PackCorruptError("truncated delta offset");
        baseOffset = offset - o.offset;
        if (o.offset === 0 || baseOffset < 12) throw new PackCorruptError(`delta base offset out of bounds at offset ${offset}`);
        hlen += o.length;
      } else if (type === REF_DELTA) {
        if (view.length < hlen + 20) throw new PackCorruptError("truncated delta base id");
        baseOid = bytesToHex(view, hlen, hlen + 20);
        hlen += 20;
      }
      r.consume(hlen);
      if (opts.onEntryHeader) {
        const p = opts.onEntryHeader({
          offset,
          packType: type,
          size,
          ...(baseOffset !== undefined ? { baseOffset } : {}),
          ...(baseOid !== undefined ? { baseOid } : {}),
        });
        if (p) await p;
      }
      // The window grows with the bytes that actually arrive (doubling from 64 KiB), never to the
      // declared size up front: a header that lies costs nothing until the data is really sent.
      const bound = maxZlibLength(size);
      if (r.buffered < 65536) await r.fill(Math.min(65536, bound));
      let res = inflateEntry(r.peek(), size);
      while (res === "need-more") {
        if (r.buffered >= bound) throw new PackCorruptError(`zlib stream of object ${i + 1} of ${count} is longer than its ${size} bytes can need`);
        const more = await r.fill(Math.min(Math.max(r.buffered * 2, r.buffered + 65536), bound));
        if (!more && !(await r.more())) {
          res = inflateEntry(r.peek(), size);
          if (res === "need-more") throw new PackCorruptError(`truncated pack (inside object ${i + 1} of ${count})`);
          break;
        }
        res = inflateEntry(r.peek(), size);
      }
      const zdata = r.take(res.consumed);
      view = zdata;
      yield {
        offset,
        packType: type,
        ...(baseOffset !== undefined ? { baseOffset } : {}),
        ...(baseOid !== undefined ? { baseOid } : {}),
        data: res.data,
        zdata,
      };
    }
    r.onConsume = undefined;
    const expected = hash.digestHex();
    const trailer = await r.readExact(20);
    if (!trailer) throw new PackCorruptError("truncated pack (missing trailer checksum)");
    const got = bytesToHex(trailer);
    if (got !== expected) throw new PackCorruptError(`pack checksum mismatch (trailer ${got}, computed ${expected})`);
    if (await r.fill(1)) throw new PackCorruptError("pack has junk at the end");
    return { count, checksum: got };
  } finally {
    r.onConsume = undefined;
  }
}
