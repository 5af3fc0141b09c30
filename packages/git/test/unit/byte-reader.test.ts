// The reader every pack and pkt-line parse goes through: bytes come out intact whatever the
// network's chunking, and a big object's window is sized to it and let go after it.
import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { ByteReader } from "../../src/index.js";

const MB = 1024 * 1024;

function reader(data: Uint8Array, chunk: (i: number) => number) {
  return new ByteReader(
    (async function* () {
      for (let p = 0, i = 0; p < data.length; i++) {
        const n = Math.max(1, chunk(i));
        yield data.subarray(p, p + n);
        p += n;
      }
    })(),
  );
}

describe("ByteReader", () => {
  it("hands out the stream's bytes in order under any chunking, small and large fills alike", async () => {
    const data = randomBytes(12 * MB);
    for (const chunk of [(i: number) => 1 + ((i * 7919) % 70_000), () => 16 * 1024, () => 3 * MB]) {
      const r = reader(data, chunk);
      const got: Buffer[] = [];
      const sizes = [32, 5 * MB, 10, 100_000, 2 * MB, 1, 64 * 1024];
      for (let i = 0; r.offset < data.length; i++) {
        const n = Math.min(sizes[i % sizes.length]!, data.length - r.offset);
        expect(await r.fill(n)).toBe(true);
        got.push(Buffer.from(r.consume(n)));
      }
      expect(Buffer.concat(got).equals(data)).toBe(true);
      expect(await r.fill(1)).toBe(false);
    }
  });

  it("sizes a large fill to the request instead of doubling past it, and lets the window go once drained", async () => {
    const data = randomBytes(40 * MB);
    const r = reader(data, () => 16 * 1024);
    const big = 30 * MB + 12345;
    await r.fill(big);
    // Doubling from 64 KiB would have made a 32 MiB, then a 64 MiB window.
    expect(r.capacity).toBeLessThan(big + 256 * 1024);
    r.consume(big);
    await r.fill(32);
    expect(r.capacity).toBe(64 * 1024);
    // The bytes after the big fill are still right.
    expect(Buffer.from(r.consume(32)).equals(data.subarray(big, big + 32))).toBe(true);
  });

  it("take() hands out bytes that stay intact while the reader goes on, large (the window given away) or small (a copy)", async () => {
    const data = randomBytes(20 * MB);
    const r = reader(data, () => 64 * 1024);
    await r.fill(8 * MB + 100);
    const big = r.take(8 * MB); // most of the window: given away, not copied
    expect(r.capacity).toBeLessThan(MB);
    await r.fill(10);
    const small = r.take(10);
    const rest: Buffer[] = [];
    while (await r.fill(1)) rest.push(Buffer.from(r.consume(Math.min(r.buffered, 3 * MB))));
    expect(Buffer.from(big).equals(data.subarray(0, 8 * MB))).toBe(true);
    expect(Buffer.from(small).equals(data.subarray(8 * MB, 8 * MB + 10))).toBe(true);
    expect(Buffer.concat(rest).equals(data.subarray(8 * MB + 10))).toBe(true);
  });
});
