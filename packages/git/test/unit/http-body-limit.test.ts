/**
 * The Git request body limit (`maxBodyBytes`) on a streamed (chunked) push: the refusal is an
 * unpack error in report-status, refs do not move, and the reader drains a bounded overrun so
 * that `git` finishes sending and prints its per-ref report, but never reads an endless body.
 */
import { describe, expect, it } from "vitest";
import { encodeEntryHeader } from "../../src/pack/entry.js";
import { MemoryRepoStore, handleGitHttp } from "../../src/index.js";
import { parseReceivePackResponse, pkt, FLUSH, ZERO_ID } from "../support/fixtures.js";

const LIMIT = 100_000;
const DRAIN = 8 * 1024 * 1024;

/**
 * A push of one blob whose zlib stream is stored blocks of zeros: `total` bytes in all, or
 * endless when `total` is Infinity. Counts what the server pulled.
 */
function pushBody(total: number) {
  const head = Buffer.concat([
    pkt(`${ZERO_ID} ${"1".repeat(40)} refs/heads/main\0report-status\n`),
    FLUSH,
    Buffer.from("PACK\0\0\0\x02\0\0\0\x01", "latin1"),
    encodeEntryHeader(3, 50 * 1024 * 1024),
    Buffer.from([0x78, 0x01]),
  ]);
  const block = Buffer.concat([Buffer.from([0x00, 0xff, 0xff, 0x00, 0x00]), Buffer.alloc(0xffff)]);
  const state = { pulled: 0, cancelled: false };
  let first = true;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (state.pulled >= total) return c.close();
      const chunk = first ? head : block;
      first = false;
      state.pulled += chunk.length;
      c.enqueue(new Uint8Array(chunk));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { body, state };
}

async function push(store: MemoryRepoStore, body: ReadableStream<Uint8Array>) {
  const req = new Request("http://git.test/r.git/git-receive-pack", {
    method: "POST",
    headers: { "Content-Type": "application/x-git-receive-pack-request" },
    body,
    duplex: "half",
  } as RequestInit);
  const res = await handleGitHttp(req, "git-receive-pack", store, { access: "write", maxBodyBytes: LIMIT });
  return { status: res.status, report: parseReceivePackResponse(Buffer.from(await res.arrayBuffer())) };
}

describe("request body limit on a streamed push", () => {
  it("reads a modest overrun to its end, then refuses the push with the reason", async () => {
    const store = new MemoryRepoStore();
    const { body, state } = pushBody(2 * 1024 * 1024);
    const { status, report } = await push(store, body);
    expect(status).toBe(200);
    expect(report.status).toEqual([`unpack request body is larger than the limit of ${LIMIT} bytes`, "ng refs/heads/main unpacker error"]);
    expect(state.pulled).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(await store.listRefs()).toEqual([]);
  });

  it("stops reading an endless body a bounded amount past the limit", async () => {
    const store = new MemoryRepoStore();
    const { body, state } = pushBody(Infinity);
    const { report } = await push(store, body);
    expect(report.status[0]).toBe(`unpack request body is larger than the limit of ${LIMIT} bytes`);
    expect(state.pulled).toBeGreaterThan(LIMIT + DRAIN - 0x10000);
    expect(state.pulled).toBeLessThan(LIMIT + DRAIN + 4 * 0x10000);
    expect(state.cancelled).toBe(true);
    expect(await store.listRefs()).toEqual([]);
  });
});
