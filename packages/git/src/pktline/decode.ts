import { ByteReader } from "../io/byte-reader.js";
import { decodeUtf8 } from "../io/bytes.js";
import { ProtocolError } from "../errors.js";

export type Pkt = { kind: "data"; data: Uint8Array } | { kind: "flush" } | { kind: "delim" } | { kind: "end" };

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Read one pkt-line; undefined at a clean end of stream. Malformed lengths are ProtocolErrors, never hangs. */
export async function readPkt(r: ByteReader): Promise<Pkt | undefined> {
  if (!(await r.fill(4))) {
    if (r.buffered === 0) return undefined;
    throw new ProtocolError("protocol error: truncated pkt-line length");
  }
  const h = r.peek();
  let n = 0;
  for (let i = 0; i < 4; i++) {
    const v = hexVal(h[i]!);
    if (v < 0) throw new ProtocolError(`protocol error: bad line length character: ${printable(h.subarray(0, 4))}`);
    n = n * 16 + v;
  }
  if (n === 0) return (r.consume(4), { kind: "flush" });
  if (n === 1) return (r.consume(4), { kind: "delim" });
  if (n === 2) return (r.consume(4), { kind: "end" });
  if (n < 4) throw new ProtocolError(`protocol error: bad line length ${n}`);
  if (!(await r.fill(n))) throw new ProtocolError("protocol error: pkt-line length past end of input");
  r.consume(4);
  return { kind: "data", data: r.consume(n - 4).slice() };
}

/** Payload as text without the trailing LF. */
export function pktText(p: Pkt & { kind: "data" }): string {
  const d = p.data;
  return decodeUtf8(d[d.length - 1] === 10 ? d.subarray(0, d.length - 1) : d);
}

function printable(b: Uint8Array): string {
  return Array.from(b, (c) => (c >= 32 && c < 127 ? String.fromCharCode(c) : ".")).join("");
}
