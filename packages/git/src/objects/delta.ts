/**
 * gitformat-pack "Deltified representation": base size, result size, then copy
 * (from base) and insert (literal) instructions.
 *
 * The sizes are a client's word: the result buffer is allocated only after the declared size is
 * checked against the object size limit and a scan of the instructions shows they produce exactly
 * that many bytes (a 210-byte delta may not claim a 4 GiB result).
 */
import { LimitExceededError, PackCorruptError } from "../errors.js";

/** The engine's default largest object (callers pass their configured limit). */
export const DEFAULT_MAX_OBJECT_SIZE = 100 * 1024 * 1024;

function readVarint(d: Uint8Array, pos: number): [value: number, next: number] {
  let v = 0;
  let shift = 1;
  let c: number;
  do {
    if (pos >= d.length) throw new PackCorruptError("delta: truncated size header");
    if (shift > 2 ** 49) throw new PackCorruptError("delta: size header too long");
    c = d[pos++]!;
    v += (c & 0x7f) * shift;
    shift *= 128;
  } while (c & 0x80);
  return [v, pos];
}

/** Bytes the instructions from `pos` produce, checking every copy and insert against the base and the delta. */
function producedBytes(delta: Uint8Array, pos: number, baseLength: number, limit: number): number {
  let total = 0;
  while (pos < delta.length) {
    const op = delta[pos++]!;
    if (op & 0x80) {
      let off = 0;
      let len = 0;
      for (let bit = 0; bit < 4; bit++) if (op & (1 << bit)) off += delta[pos++]! * 2 ** (8 * bit);
      for (let bit = 0; bit < 3; bit++) if (op & (0x10 << bit)) len += delta[pos++]! * 2 ** (8 * bit);
      if (len === 0) len = 0x10000;
      if (pos > delta.length) throw new PackCorruptError("delta: truncated copy instruction");
      if (off + len > baseLength) throw new PackCorruptError("delta: copy out of range");
      total += len;
    } else if (op !== 0) {
      if (pos + op > delta.length) throw new PackCorruptError("delta: insert out of range");
      pos += op;
      total += op;
    } else {
      throw new PackCorruptError("delta: reserved instruction 0");
    }
    if (total > limit) throw new PackCorruptError(`delta: instructions produce more than the declared result size ${limit}`);
  }
  return total;
}

export function applyDelta(base: Uint8Array, delta: Uint8Array, maxResultSize = DEFAULT_MAX_OBJECT_SIZE): Uint8Array {
  const [baseSize, afterBase] = readVarint(delta, 0);
  if (baseSize !== base.length) throw new PackCorruptError(`delta: base size ${baseSize} does not match base object (${base.length})`);
  const [resultSize, instructions] = readVarint(delta, afterBase);
  if (resultSize > maxResultSize) throw new LimitExceededError(`delta result of ${resultSize} bytes is over the object size limit of ${maxResultSize}`);
  const produced = producedBytes(delta, instructions, base.length, resultSize);
  if (produced !== resultSize) throw new PackCorruptError(`delta: result size ${produced} does not match declared ${resultSize}`);
  const out = new Uint8Array(resultSize);
  let o = 0;
  let pos = instructions;
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
      // Short runs by hand: a subarray per instruction was most of this function's allocation.
      if (len <= 32) for (let k = 0; k < len; k++) out[o + k] = base[off + k]!;
      else out.set(base.subarray(off, off + len), o);
      o += len;
    } else {
      if (op <= 32) for (let k = 0; k < op; k++) out[o + k] = delta[pos + k]!;
      else out.set(delta.subarray(pos, pos + op), o);
      pos += op;
      o += op;
    }
  }
  return out;
}
