import { describe, expect, it } from "vitest";
import { ByteReader, FLUSH, ProtocolError, pkt, pktLine, readPkt, sidebandPackets } from "../../src/index.js";

const enc = new TextEncoder();
const reader = (s: string | Uint8Array) =>
  new ByteReader(
    (async function* () {
      const b = typeof s === "string" ? enc.encode(s) : s;
      for (let i = 0; i < b.length; i += 3) yield b.subarray(i, i + 3); // split mid-length on purpose
    })(),
  );

describe("pkt-line", () => {
  it("encodes lengths including the 4-byte header", () => {
    expect(new TextDecoder().decode(pktLine("hello"))).toBe("000ahello\n");
    expect(new TextDecoder().decode(FLUSH)).toBe("0000");
  });

  it("decodes data, flush, delim and response-end across chunk boundaries", async () => {
    const r = reader("000ahello\n00000001000000050");
    expect(await readPkt(r)).toEqual({ kind: "data", data: enc.encode("hello\n") });
    expect(await readPkt(r)).toEqual({ kind: "flush" });
    expect(await readPkt(r)).toEqual({ kind: "delim" });
    expect((await readPkt(r))?.kind).toBe("flush");
    expect(await readPkt(r)).toEqual({ kind: "data", data: enc.encode("0") });
    expect(await readPkt(r)).toBeUndefined();
  });

  it.each([
    ["zzzz", /bad line length character/],
    ["0003", /bad line length 3/],
    ["0010short", /past end of input/],
    ["00", /truncated pkt-line length/],
  ])("rejects %s with a protocol error", async (input, msg) => {
    await expect(readPkt(reader(input))).rejects.toThrow(ProtocolError);
    await expect(readPkt(reader(input))).rejects.toThrow(msg);
  });

  it("splits side-band data at 65515 bytes per packet", () => {
    const data = new Uint8Array(65515 * 2 + 10).fill(7);
    const pkts = [...sidebandPackets(1, data)];
    expect(pkts.map((p) => p.length)).toEqual([65520, 65520, 15]);
    expect(pkts[0]![4]).toBe(1);
    expect(() => pkt(new Uint8Array(65517))).toThrow(RangeError);
  });
});
