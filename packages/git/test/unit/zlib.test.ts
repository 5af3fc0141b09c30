// The zlib wrapper hands out plain Uint8Arrays, not node:zlib's Buffers: a Buffer's slice() is a view
// of its whole (possibly pooled) allocation, which callers storing bytes must not inherit.
import { describe, expect, it } from "vitest";
import { deflate, inflateExact } from "../../src/index.js";

const text = new TextEncoder().encode("hello, zlib\n".repeat(10));

describe("zlib wrapper", () => {
  it("deflate returns a plain Uint8Array whose slice() copies", () => {
    const z = deflate(text);
    expect(Object.getPrototypeOf(z)).toBe(Uint8Array.prototype);
    expect(z.slice(0, 2).buffer.byteLength).toBe(2);
  });

  it("inflateExact returns a plain Uint8Array with the original bytes", () => {
    const out = inflateExact(deflate(text), text.length);
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
    expect(out).toEqual(text);
  });
});
