/**
 * gitformat-pack "Pack file entry": a type+size varint header, then for OFS_DELTA a negative
 * offset in git's "offset encoding", for REF_DELTA the 20-byte base id, then zlib data.
 */
export function encodeEntryHeader(type: number, size: number): Uint8Array {
  const bytes: number[] = [];
  let b = (type << 4) | (size & 15);
  size = Math.floor(size / 16);
  while (size > 0) {
    bytes.push(b | 0x80);
    b = size & 0x7f;
    size = Math.floor(size / 128);
  }
  bytes.push(b);
  return Uint8Array.from(bytes);
}

/** Parse a header from buf[pos..]; undefined if more bytes are needed. */
export function decodeEntryHeader(buf: Uint8Array, pos: number): { type: number; size: number; length: number } | undefined {
  if (pos >= buf.length) return undefined;
  let c = buf[pos]!;
  const type = (c >> 4) & 7;
  let size = c & 15;
  let shift = 16;
  let i = pos + 1;
  while (c & 0x80) {
    if (i >= buf.length) return undefined;
    c = buf[i++]!;
    size += (c & 0x7f) * shift;
    shift *= 128;
    if (shift > 2 ** 56) return { type, size: Number.MAX_SAFE_INTEGER, length: i - pos }; // absurd; caller rejects by limit
  }
  return { type, size, length: i - pos };
}

export function encodeOfsOffset(delta: number): Uint8Array {
  const bytes: number[] = [delta & 0x7f];
  delta = Math.floor(delta / 128);
  while (delta > 0) {
    delta -= 1;
    bytes.unshift(0x80 | (delta & 0x7f));
    delta = Math.floor(delta / 128);
  }
  return Uint8Array.from(bytes);
}

export function decodeOfsOffset(buf: Uint8Array, pos: number): { offset: number; length: number } | undefined {
  if (pos >= buf.length) return undefined;
  let c = buf[pos]!;
  let off = c & 0x7f;
  let i = pos + 1;
  while (c & 0x80) {
    if (i >= buf.length) return undefined;
    c = buf[i++]!;
    off = (off + 1) * 128 + (c & 0x7f);
    if (off > Number.MAX_SAFE_INTEGER / 256) return { offset: Number.MAX_SAFE_INTEGER, length: i - pos };
  }
  return { offset: off, length: i - pos };
}
