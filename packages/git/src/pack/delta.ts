/**
 * gitformat-pack "Deltified representation": base size, result size, then copy
 * (from base) and insert (literal) instructions.
 */
import { PackCorruptError } from "../errors.js";

function readVarint(d: Uint8Array, pos: number): [value: number, next: number] {
  let v = 0;
  let shift = 1;
  let c: number;
  do {
    if (pos >= d.length) throw new PackCorruptError("delta: truncated size header");
    c = d[pos++]!;
    v += (c & 0x7f) * shift;
    shift *= 128;
  } while (c & 0x80);
  return [v, pos];
}

export function deltaResultSize(delta: Uint8Array): number {
  const [, p] = readVarint(delta, 0);
  return readVarint(delta, p)[0];
}

export function applyDelta(base: Uint8Array, delta: Uint8Array): Uint8Array {
  let [baseSize, pos] = readVarint(delta, 0);
  if (baseSize !== base.length) throw new PackCorruptError(`delta: base size ${baseSize} does not match base object (${base.length})`);
  let resultSize: number;
  [resultSize, pos] = readVarint(delta, pos);
  const out = new Uint8Array(resultSize);
  let o = 0;
  while (pos < delta.length) {
    const op = delta[pos++]!;
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      if (op & 0x01) off |= delta[pos++]!;
      if (op & 0x02) off |= delta[pos++]! << 8;
      if (op & 0x04) off |= delta[pos++]! << 16;
      if (op & 0x08) off = off + delta[pos++]! * 0x1000000;
      if (op & 0x10) len |= delta[pos++]!;
      if (op & 0x20) len |= delta[pos++]! << 8;
      if (op & 0x40) len |= delta[pos++]! << 16;
      if (len === 0) len = 0x10000;
      if (pos > delta.length) throw new PackCorruptError("delta: truncated copy instruction");
      if (off + len > base.length || o + len > resultSize) throw new PackCorruptError("delta: copy out of range");
      // Short runs by hand: a subarray per instruction was most of this function's allocation.
      if (len <= 32) for (let k = 0; k < len; k++) out[o + k] = base[off + k]!;
      else out.set(base.subarray(off, off + len), o);
      o += len;
    } else if (op !== 0) {
      if (pos + op > delta.length || o + op > resultSize) throw new PackCorruptError("delta: insert out of range");
      if (op <= 32) for (let k = 0; k < op; k++) out[o + k] = delta[pos + k]!;
      else out.set(delta.subarray(pos, pos + op), o);
      pos += op;
      o += op;
    } else {
      throw new PackCorruptError("delta: reserved instruction 0");
    }
  }
  if (o !== resultSize) throw new PackCorruptError(`delta: result size ${o} does not match declared ${resultSize}`);
  return out;
}
