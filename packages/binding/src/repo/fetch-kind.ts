/**
 * Telling a clone from a fetch, and a pack from a negotiation round, for the `cloned` and
 * `fetched` events (contract §7.3; §11.19 leaves the rule open, docs/contract-choices.md has
 * ours). Both look at pkt-lines on a tee of the stream and stop as soon as they know:
 * - a request with no `have` line comes from a client that has nothing yet: a clone;
 * - a response carries a pack once a v2 `packfile` section starts, or v0/v1 pack data
 *   (side-band channel 1, or a bare `PACK` without side-band) appears. A v2 flush before
 *   `packfile` ends a negotiation-only round.
 */
import { ByteReader, readPkt, pktText } from "@artifacts-emulator/git";

/** At most this many bytes of a request are examined (wants and shallows come before haves). */
const MAX_SCAN = 1024 * 1024;

async function scan(stream: ReadableStream<Uint8Array>, decide: (r: ByteReader) => Promise<boolean | undefined>, fallback: boolean): Promise<boolean> {
  const r = new ByteReader(stream);
  try {
    for (;;) {
      const d = await decide(r);
      if (d !== undefined) return d;
      if (r.offset > MAX_SCAN) return fallback;
    }
  } catch {
    return fallback;
  } finally {
    await r.cancel().catch(() => {});
  }
}

/** Whether an upload-pack request (v0 or v2) sends any `have` line. */
export function requestHasHaves(body: ReadableStream<Uint8Array>, contentEncoding: string | null): Promise<boolean> {
  const enc = (contentEncoding ?? "").toLowerCase();
  const plain = enc === "gzip" || enc === "x-gzip" ? body.pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>) : body;
  return scan(
    plain,
    async (r) => {
      const p = await readPkt(r);
      if (!p) return false;
      if (p.kind !== "data") return undefined;
      const line = pktText(p);
      if (line.startsWith("have ")) return true;
      return line === "done" ? false : undefined;
    },
    false,
  );
}

/** Whether an upload-pack response carries a pack. */
export function responseSendsPack(body: ReadableStream<Uint8Array>, v2: boolean): Promise<boolean> {
  return scan(
    body,
    async (r) => {
      if (!v2 && (await r.fill(4)) && isPackMagic(r.peek())) return true;
      const p = await readPkt(r);
      if (!p) return false;
      if (p.kind === "flush") return v2 ? false : undefined;
      if (p.kind !== "data") return undefined;
      if (v2) return pktText(p) === "packfile" ? true : undefined;
      return p.data[0] === 1 ? true : undefined;
    },
    false,
  );
}

const isPackMagic = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x41 && b[2] === 0x43 && b[3] === 0x4b;
