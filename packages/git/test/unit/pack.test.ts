// Packs made by real `git pack-objects` (deep delta chains, ref-deltas, thin packs) are read and
// every object id verified; packs we write are accepted by `git index-pack`; bad packs fail
// cleanly and leave nothing live.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFile } from "node:fs/promises";
import { deflateSync } from "node:zlib";
import { createHash } from "node:crypto";
import { GitSandbox, dateEnv } from "../support/git.js";
import { ByteReader, LimitExceededError, MemoryRepoStore, ObjectDb, PackCorruptError, ZERO_OID, hashObject, ingestPack, writePack } from "../../src/index.js";

let sb: GitSandbox;
let repo: string;
let allOids: string[];

function source(...chunks: Uint8Array[]) {
  return new ByteReader(
    (async function* () {
      for (const c of chunks) yield c;
    })(),
  );
}

/** Feed a buffer in small uneven pieces, as a network would. */
function chunked(buf: Uint8Array, size = 1000) {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < buf.length; i += size) parts.push(buf.subarray(i, i + size));
  return source(...parts);
}

async function ingest(store: MemoryRepoStore, pack: Uint8Array, size?: number) {
  const q = await store.beginQuarantine();
  try {
    const stats = await ingestPack(size ? chunked(pack, size) : source(pack), store, q);
    await store.commit(q, [{ name: "refs/heads/x", old: (await store.readRef("refs/heads/x")) ?? ZERO_OID, new: allOids[0]! }], { atomic: false });
    return stats;
  } catch (e) {
    await store.abort(q);
    throw e;
  }
}

async function packOf(args: string[], input: string) {
  return (await sb.run(["pack-objects", "--stdout", "-q", ...args], { cwd: repo, input })).stdoutBuffer;
}

beforeAll(async () => {
  sb = await GitSandbox.create("git-pack-");
  repo = sb.path("repo");
  await sb.ok(["init", "-q", repo]);
  const c = sb.client(repo);
  // A file with 300 versions: repacked with --depth=250 gives delta chains hundreds deep.
  let text = "";
  for (let i = 0; i < 300; i++) {
    text += `line ${i} ${"x".repeat(i % 17)}\n`;
    await writeFile(c.path("big.txt"), text);
    await c.ok(["add", "big.txt"]);
    await c.ok(["commit", "-qm", `v${i}`], { env: dateEnv(i) }); // fixed dates: the same pack bytes every run
  }
  await c.ok(["repack", "-adfq", "--depth=250", "--window=250"]);
  allOids = (await c.line(["rev-list", "--all", "--objects"])).split("\n").map((l) => l.slice(0, 40));
});
afterAll(() => sb.dispose());

describe("pack reader", () => {
  it("reads a deep ofs-delta pack from git and verifies every id", async () => {
    const pack = await packOf(["--revs", "--all", "--delta-base-offset"], "");
    const store = new MemoryRepoStore();
    const stats = await ingest(store, pack, 777);
    expect(stats.objects).toBe(allOids.length);
    expect(stats.deltas).toBeGreaterThan(200);
    const odb = new ObjectDb([store]);
    for (const oid of allOids) {
      const o = await odb.read(oid);
      expect(hashObject(o.type, o.data)).toBe(oid);
    }
    // Chains are capped, so reads stay cheap however deep git's chains were.
    let max = 0;
    for (const oid of allOids) max = Math.max(max, (await store.get(oid))!.depth);
    expect(max).toBeLessThanOrEqual(50);
  });

  it("reads ref-delta packs", async () => {
    const pack = await packOf(["--revs", "--all"], "");
    const store = new MemoryRepoStore();
    const stats = await ingest(store, pack);
    expect(stats.deltas).toBeGreaterThan(200);
    expect(store.objectCount).toBe(allOids.length);
  });

  it("resolves a thin pack against objects already stored", async () => {
    const store = new MemoryRepoStore();
    const old = await sb.client(repo).line(["rev-parse", "HEAD~5"]);
    await ingest(store, await packOf(["--revs"], `${old}\n`));
    const before = store.objectCount;
    const thin = await packOf(["--revs", "--thin"], `HEAD\n^${old}\n`);
    const stats = await ingest(store, thin);
    expect(stats.deltas).toBeGreaterThan(0);
    expect(store.objectCount).toBe(allOids.length);
    expect(before).toBeLessThan(allOids.length);
  });
});

describe("pack writer", () => {
  it("writes packs git index-pack accepts, reusing deltas", async () => {
    const store = new MemoryRepoStore();
    await ingest(store, await packOf(["--revs", "--all", "--delta-base-offset"], ""));
    const odb = new ObjectDb([store]);
    const chunks: Uint8Array[] = [];
    const gen = writePack(allOids, odb, { ofsDelta: true });
    let r = await gen.next();
    while (!r.done) {
      chunks.push(r.value);
      r = await gen.next();
    }
    expect(r.value.deltas).toBeGreaterThan(200);
    const target = sb.path("target");
    await sb.ok(["init", "-q", "--bare", target]);
    const pack = Buffer.concat(chunks);
    const out = await sb.ok(["index-pack", "--stdin", "--strict"], { cwd: target, input: pack });
    expect(out.trim()).toMatch(/^pack\s+[0-9a-f]{40}$/);
    const listed = (await sb.ok(["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"], { cwd: target })).trim().split("\n");
    expect(listed.sort()).toEqual([...allOids].sort());
  });
});

describe("bad packs fail cleanly", () => {
  let good: Buffer;
  beforeAll(async () => {
    good = await packOf(["--revs"], "HEAD~290\n");
  });

  type Refusal = RegExp | Array<typeof PackCorruptError | typeof LimitExceededError>;
  const cases: Array<[string, () => Uint8Array, Refusal]> = [
    ["truncated", () => good.subarray(0, good.length - 100), /truncated/],
    [
      "bad trailer",
      () => {
        const b = Buffer.from(good);
        b[b.length - 1]! ^= 0xff;
        return b;
      },
      /checksum/,
    ],
    [
      "corrupt zlib",
      () => {
        const b = Buffer.from(good);
        b[Math.floor(b.length / 2)]! ^= 0xff;
        return b;
      },
      /zlib|checksum|size|delta|invalid/,
    ],
    // One object too many: the reader takes the trailer for an entry header. Its bits vary with the pack (commit
    // times), so the refusal may name a bad type, a truncated entry or a huge declared size: any clean refusal will do.
    [
      "object count too high",
      () => {
        const b = Buffer.from(good);
        b.writeUInt32BE(b.readUInt32BE(8) + 1, 8);
        return b;
      },
      [PackCorruptError, LimitExceededError],
    ],
    [
      "object count too low",
      () => {
        const b = Buffer.from(good);
        b.writeUInt32BE(b.readUInt32BE(8) - 1, 8);
        return b;
      },
      /checksum/,
    ],
    ["not a pack", () => Buffer.from("PACX\0\0\0\x02\0\0\0\0"), /signature/],
    ["junk after trailer", () => Buffer.concat([good, Buffer.from("junk")]), /junk/],
  ];
  for (const [name, make, err] of cases) {
    it(name, async () => {
      const store = new MemoryRepoStore();
      const error = await ingest(store, make(), 333).then(
        () => new Error("pack accepted"),
        (e: unknown) => e,
      );
      if (err instanceof RegExp) expect(String(error)).toMatch(err);
      else
        expect(
          err.some((cls) => error instanceof cls),
          `unexpected ${String(error)}`,
        ).toBe(true);
      expect(store.objectCount).toBe(0);
      expect(await store.listRefs()).toEqual([]);
    });
  }

  it("rejects a huge declared size before inflating", async () => {
    const hdr = Buffer.from([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, 1]);
    // blob, size 2^40 via varint
    const entry = Buffer.from([0xb0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]);
    const body = Buffer.concat([hdr, entry, deflateSync(Buffer.from("x"))]);
    const pack = Buffer.concat([body, createHash("sha1").update(body).digest()]);
    await expect(ingest(new MemoryRepoStore(), pack)).rejects.toThrow(LimitExceededError);
  });

  it("rejects deltas with a missing base and copies out of range", async () => {
    const mk = (entries: Buffer[]) => {
      const hdr = Buffer.from([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, entries.length]);
      const body = Buffer.concat([hdr, ...entries]);
      return Buffer.concat([body, createHash("sha1").update(body).digest()]);
    };
    const delta = Buffer.from([5, 5, 0x90, 5]); // base 5, result 5, copy offset 0 len 5
    const refDelta = (base: string, d: Buffer) => Buffer.concat([Buffer.from([0x70 | d.length]), Buffer.from(base, "hex"), deflateSync(d)]);
    const missing = mk([refDelta("1".repeat(40), delta)]);
    await expect(ingest(new MemoryRepoStore(), missing)).rejects.toThrow(/unresolved delta/);
    const blob = Buffer.from("abc");
    const blobEntry = Buffer.concat([Buffer.from([0x30 | blob.length]), deflateSync(blob)]);
    const outOfRange = mk([blobEntry, refDelta(hashObject("blob", blob), Buffer.from([3, 9, 0x91, 2, 9]))]);
    const store = new MemoryRepoStore();
    await expect(ingest(store, outOfRange)).rejects.toThrow(PackCorruptError);
    expect(store.objectCount).toBe(0);
    // A ref-delta cycle: two deltas each based on the other.
    const a = "a".repeat(40);
    const b = "b".repeat(40);
    await expect(ingest(new MemoryRepoStore(), mk([refDelta(b, delta), refDelta(a, delta)]))).rejects.toThrow(/unresolved delta/);
  });
});
