/**
 * zlib through `node:zlib` (native in Node and workerd). Pack parsing needs the number of compressed
 * bytes each entry used, which DecompressionStream cannot report (docs/git-protocol.md "zlib and SHA-1"); inflateSync
 * with `info: true` gives it as `engine.bytesWritten`.
 */
import { deflateSync, inflateSync } from "node:zlib";
import { PackCorruptError } from "../errors.js";

export type InflateResult = { data: Uint8Array; consumed: number } | "need-more";

/**
 * Inflate one zlib stream at the start of `input`, which must inflate to exactly `expected` bytes.
 * Returns "need-more" when the input ends inside the stream (the caller reads more and retries,
 * or reports truncation at end of input). Never produces more than `expected` bytes (zip bombs).
 */
export function inflateEntry(input: Uint8Array, expected: number): InflateResult {
  let r: { buffer: Uint8Array; engine: { bytesWritten: number } };
  try {
    // chunkSize: one output buffer of the exact size (zlib's default 16 KiB chunks leave a small
    // object as a view pinning 16 KiB, and concatenate bigger ones, holding the object twice). A
    // lying size header must not cost much up front, so beyond 1 MiB the buffer is only sized to
    // what the compressed bytes at hand could plausibly inflate to (8x): a big incompressible object
    // still inflates into one buffer.
    const cap = Math.max(1 << 20, input.length * 8);
    r = inflateSync(input, { info: true, chunkSize: Math.min(Math.max(expected + 1, 64), cap), maxOutputLength: Math.max(expected, 1) }) as unknown as typeof r;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "Z_BUF_ERROR") return "need-more";
    if (code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) throw new PackCorruptError(`inflated object is larger than its declared size ${expected}`);
    throw new PackCorruptError(`corrupt zlib stream: ${(e as Error).message}`);
  }
  if (r.buffer.length !== expected) throw new PackCorruptError(`inflated size ${r.buffer.length} does not match declared size ${expected}`);
  return { data: plain(r.buffer), consumed: r.engine.bytesWritten };
}

/** Inflate a complete, standalone zlib stream (a stored object) of known size. */
export function inflateExact(input: Uint8Array, expected: number): Uint8Array {
  const r = inflateEntry(input, expected);
  if (r === "need-more") throw new PackCorruptError("truncated zlib stream in storage");
  return r.data;
}

export function deflate(data: Uint8Array, level = 1): Uint8Array {
  return plain(deflateSync(data, { level }));
}

/**
 * A plain Uint8Array view of node:zlib's Buffer (no copy): callers get web-standard semantics,
 * where `slice()` copies (Buffer's `slice()` is a view of the whole, possibly pooled, allocation).
 */
function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
