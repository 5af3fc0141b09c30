/**
 * Property-based fuzzing (fast-check) of the parsers a client's bytes reach: pkt-lines, packs, deltas and objects.
 * Properties: a parser fails only with the engine's own errors (GitError and its subclasses), never allocates past the
 * limits it is given, and round-trips valid input. CI runs a fixed seed with bounded runs; `pnpm --filter
 * @artifacts-emulator/git fuzz` runs many more with a random seed (FUZZ_RUNS, FUZZ_SEED to choose; a failure prints
 * the seed and path to replay it).
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  applyDelta,
  ByteReader,
  fsckObject,
  GitError,
  hashObject,
  ingestPack,
  LimitExceededError,
  makeCommit,
  MemoryRepoStore,
  parseCommit,
  parseTag,
  parseTree,
  pkt,
  readPack,
  readPkt,
  serializeCommit,
  serializeTree,
  FLUSH,
  DELIM,
  type TreeEntry,
} from "../../src/index.js";
import { buildPack, delta, gitObject, OBJ, type RawEntry } from "../support/pack-builder";

const seed = process.env.FUZZ_SEED === "random" ? Date.now() : Number(process.env.FUZZ_SEED ?? 20261205);
const scale = Number(process.env.FUZZ_RUNS ?? 1); // the fuzz script multiplies every property's runs
const runs = (n: number) => ({ seed, numRuns: Math.max(1, Math.round(n * scale)), endOnFailure: true });
if (process.env.FUZZ_SEED) console.log(`fuzz seed ${seed}, runs x${scale}`);

/** Run `f`; anything thrown that is not a GitError fails the property. */
async function onlyGitErrors<T>(f: () => Promise<T> | T): Promise<T | GitError> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof GitError) return e;
    throw new Error(`not an engine error: ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
}

function readerOf(bytes: Uint8Array, chunk = 7): ByteReader {
  return new ByteReader(
    (async function* () {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    })(),
  );
}

/** Mutations of a valid byte string: flips, truncation, insertion, deletion, overwrite. */
const mutated = (base: Uint8Array) =>
  fc
    .array(
      fc.oneof(
        fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
        fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
        fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 16 }) }),
        fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), n: fc.integer({ min: 1, max: 16 }) }),
      ),
      { minLength: 1, maxLength: 4 },
    )
    .map((ops) => {
      let b = Buffer.from(base);
      for (const op of ops) {
        const at = b.length ? op.at % b.length : 0;
        if (op.kind === "flip") b[at] = b[at]! ^ op.bits;
        else if (op.kind === "cut") b = b.subarray(0, at);
        else if (op.kind === "insert") b = Buffer.concat([b.subarray(0, at), op.bytes, b.subarray(at)]);
        else b = Buffer.concat([b.subarray(0, at), b.subarray(at + op.n)]);
      }
      return new Uint8Array(b);
    });

describe("pkt-line decoder", () => {
  test("arbitrary bytes: data/flush/delim/end packets or a ProtocolError, never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 64 }), async (bytes, chunk) => {
        const r = readerOf(bytes, chunk);
        for (let i = 0; i < 400; i++) {
          const p = await onlyGitErrors(() => readPkt(r));
          if (p === undefined || p instanceof GitError) return;
        }
        throw new Error("decoder did not finish on a 300-byte input");
      }),
      runs(300),
    );
  });

  test("arbitrary hex-looking lengths never read past the input or hang", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.stringMatching(/^[0-9a-fA-F]{4}$/), fc.constantFrom("0000", "0001", "0002", "0003", "0004")), { maxLength: 20 }),
        async (heads) => {
          const r = readerOf(new TextEncoder().encode(heads.join("")));
          for (let i = 0; i < 100; i++) {
            const p = await onlyGitErrors(() => readPkt(r));
            if (p === undefined || p instanceof GitError) return;
          }
        },
      ),
      runs(300),
    );
  });

  test("round trip: encoded packets decode to the same sequence", async () => {
    const packet = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map((d) => ({ kind: "data" as const, data: d })),
      fc.constantFrom({ kind: "flush" as const }, { kind: "delim" as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(packet, { maxLength: 30 }), fc.integer({ min: 1, max: 50 }), async (pkts, chunk) => {
        const bytes = Buffer.concat(pkts.map((p) => (p.kind === "data" ? pkt(p.data) : p.kind === "flush" ? FLUSH : DELIM)));
        const r = readerOf(bytes, chunk);
        const got = [];
        for (let p = await readPkt(r); p; p = await readPkt(r)) got.push(p.kind === "data" ? { kind: "data", data: new Uint8Array(p.data) } : p);
        expect(got).toEqual(pkts.map((p) => (p.kind === "data" ? { kind: "data", data: new Uint8Array(p.data) } : p)));
      }),
      runs(200),
    );
  });
});

describe("delta", () => {
  const base = fc.uint8Array({ minLength: 1, maxLength: 2000 });

  test("arbitrary instructions: a result no longer than the limit, or an engine error", () => {
    fc.assert(
      fc.property(base, fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 5000 }), (b, d, limit) => {
        let out: Uint8Array | undefined;
        try {
          out = applyDelta(b, d, limit);
        } catch (e) {
          if (!(e instanceof GitError)) throw e;
        }
        if (out) expect(out.length).toBeLessThanOrEqual(limit);
      }),
      runs(1000),
    );
  });

  test("any declared result size over the limit is refused before anything is allocated", () => {
    fc.assert(
      fc.property(base, fc.oneof(fc.integer({ min: 1025, max: 2 ** 31 }), fc.constantFrom(2 ** 32 + 5, 2 ** 40, 2 ** 53 - 1)), (b, declared) => {
        const d = delta(b.length, declared, [{ copy: [0, 1] }]);
        expect(() => applyDelta(b, d, 1024)).toThrow(LimitExceededError);
      }),
      runs(300),
    );
  });

  test("round trip: copies and inserts produce exactly what they describe", () => {
    const op = (len: number) =>
      fc.oneof(
        fc
          .record({ off: fc.nat({ max: len - 1 }), n: fc.integer({ min: 1, max: 70000 }) })
          .map(({ off, n }) => ({ copy: [off, Math.min(n, len - off)] as [number, number] })),
        fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => ({ insert: Buffer.from(bytes) })),
      );
    fc.assert(
      fc.property(
        base.chain((b) => fc.tuple(fc.constant(b), fc.array(op(b.length), { maxLength: 20 }))),
        ([b, ops]) => {
          const expected = Buffer.concat(ops.map((o) => ("insert" in o ? o.insert : Buffer.from(b.subarray(o.copy[0], o.copy[0] + o.copy[1])))));
          const d = delta(b.length, expected.length, ops);
          expect(Buffer.from(applyDelta(b, d, expected.length))).toEqual(expected);
        },
      ),
      runs(300),
    );
  });
});

/** A small valid pack: blobs, a tree of them, a commit, and deltas between blobs. */
const validPackInput = fc
  .tuple(fc.array(fc.uint8Array({ minLength: 1, maxLength: 400 }), { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([contents, withDelta]) => {
    const blobs = contents.map((c) => gitObject("blob", Buffer.from(c)));
    const entries: RawEntry[] = blobs.map((o) => ({ type: o.type, data: o.data }));
    const ids = blobs.map((o) => o.id);
    if (withDelta) {
      const target = Buffer.concat([blobs[0]!.data, Buffer.from("tail")]);
      entries.push({
        type: OBJ.ofsDelta,
        ofsTo: 0,
        data: delta(blobs[0]!.data.length, target.length, [{ copy: [0, blobs[0]!.data.length] }, { insert: Buffer.from("tail") }]),
      });
      ids.push(gitObject("blob", target).id);
    }
    return { pack: new Uint8Array(buildPack(entries)), ids };
  });

describe("pack reader and ingest", () => {
  test("mutated valid packs: ingest succeeds or fails with an engine error; nothing live changes", async () => {
    await fc.assert(
      fc.asyncProperty(
        validPackInput.chain((v) => fc.tuple(fc.constant(v), mutated(v.pack))),
        async ([, bytes]) => {
          const store = new MemoryRepoStore();
          const q = await store.beginQuarantine();
          await onlyGitErrors(() => ingestPack(readerOf(bytes, 13), store, q, { maxObjectSize: 64 * 1024, checkLinks: true, fsck: true }));
          await store.abort(q);
          expect(store.objectCount).toBe(0);
        },
      ),
      runs(300),
    );
  });

  test("arbitrary bytes after a pack header: only engine errors, and the read window stays near the input's size", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), async (rest, count) => {
        const header = Buffer.alloc(12);
        header.write("PACK", 0, "latin1");
        header.writeUInt32BE(2, 4);
        header.writeUInt32BE(count, 8);
        const r = readerOf(Buffer.concat([header, rest]), 64);
        await onlyGitErrors(async () => {
          for await (const _ of readPack(r, { maxObjectSize: 32 * 1024 * 1024 })) void _;
        });
        // A lying size header costs nothing beyond the bytes really sent (plus the reader's 64 KiB start and slack).
        expect(r.capacity).toBeLessThanOrEqual(256 * 1024);
      }),
      runs(500),
    );
  });

  test("entries that declare more than the object limit are refused with LimitExceededError", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 4097, max: 2 ** 50 }), fc.constantFrom(OBJ.blob, OBJ.tree, OBJ.ofsDelta, OBJ.refDelta), async (size, type) => {
        const pack = buildPack([{ type, size, data: Buffer.from("x"), ofs: 1 }]);
        const e = await onlyGitErrors(async () => {
          for await (const _ of readPack(readerOf(pack), { maxObjectSize: 4096 })) void _;
        });
        expect(e).toBeInstanceOf(LimitExceededError);
      }),
      runs(200),
    );
  });

  test("round trip: every object of a valid pack is stored with its content", async () => {
    await fc.assert(
      fc.asyncProperty(validPackInput, fc.integer({ min: 1, max: 200 }), async ({ pack, ids }, chunk) => {
        const store = new MemoryRepoStore();
        const q = await store.beginQuarantine();
        const stats = await ingestPack(readerOf(pack, chunk), store, q);
        expect(stats.objects).toBe(ids.length);
        for (const id of ids) expect(await q.hasMany([id])).toEqual([true]);
        await store.abort(q);
      }),
      runs(200),
    );
  });
});

describe("object parsers", () => {
  const oid = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString("hex"));
  const name = fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((s) => !s.includes("/") && !s.includes("\0") && s !== "." && s !== ".." && !/^(\.git|git~1)/i.test(s.replace(/[^\x20-\x7e]/g, "")));

  test("arbitrary bytes: parseTree/parseCommit/parseTag and fsck fail only with engine errors", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        for (const f of [
          () => parseTree(b),
          () => parseCommit(b),
          () => parseTag(b),
          () => fsckObject("0".repeat(40), "tree", b),
          () => fsckObject("0".repeat(40), "commit", b),
          () => fsckObject("0".repeat(40), "tag", b),
        ]) {
          try {
            f();
          } catch (e) {
            if (!(e instanceof GitError)) throw e;
          }
        }
      }),
      runs(1000),
    );
  });

  test("round trip: sorted trees parse back and pass fsck", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.record({ name, mode: fc.constantFrom("100644", "100755", "120000", "40000", "160000"), oid }), {
          selector: (e) => e.name,
          maxLength: 20,
        }),
        (rows) => {
          const entries: TreeEntry[] = rows.map((r) => ({ mode: r.mode, name: Buffer.from(r.name, "utf8").toString("latin1"), oid: r.oid }));
          const key = (e: TreeEntry) => Buffer.from(e.mode === "40000" ? `${e.name}/` : e.name, "latin1");
          entries.sort((a, b) => Buffer.compare(key(a), key(b)));
          const raw = serializeTree(entries);
          expect(parseTree(raw)).toEqual(entries);
          const hasNull = entries.some((e) => /^0+$/.test(e.oid));
          if (!hasNull) expect(() => fsckObject(hashObject("tree", raw), "tree", raw)).not.toThrow();
        },
      ),
      runs(300),
    );
  });

  test("round trip: commits serialize and parse back byte for byte, and pass fsck", () => {
    const ident = fc
      .record({
        n: fc.stringMatching(/^[A-Za-z][A-Za-z .]{0,10}[A-Za-z]$/),
        e: fc.stringMatching(/^[a-z]{1,8}@[a-z]{1,8}\.com$/),
        t: fc.integer({ min: 1, max: 2 ** 33 }),
        z: fc.constantFrom("+0000", "-0700", "+0530"),
      })
      .map((i) => `${i.n} <${i.e}> ${i.t} ${i.z}`);
    fc.assert(
      fc.property(
        oid,
        fc.array(oid, { maxLength: 3 }),
        ident,
        ident,
        fc.string({ maxLength: 100 }).map((s) => s.replace(/\0/g, "")),
        (tree, parents, author, committer, message) => {
          const c = makeCommit({ tree, parents, author, committer, message });
          const raw = serializeCommit(c);
          expect(serializeCommit(parseCommit(raw))).toEqual(raw);
          expect(() => fsckObject(hashObject("commit", raw), "commit", raw)).not.toThrow();
        },
      ),
      runs(300),
    );
  });
});
