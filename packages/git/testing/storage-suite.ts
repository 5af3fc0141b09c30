/**
 * The conformance suite every RepoStore must pass (docs/conventions.md "Shared conformance suites"): the in-memory store runs it
 * here; the binding's Durable Object store runs the same function under Workers Vitest.
 */
import { describe, expect, it } from "vitest";
import { ZERO_OID, deflate, hashObject, type RepoStore, type StoredObject } from "../src/index.js";

const enc = new TextEncoder();

export function blob(text: string): [string, StoredObject] {
  const data = enc.encode(text);
  return [hashObject("blob", data), { type: "blob", size: data.length, zdata: deflate(data), depth: 0 }];
}

export function runStorageSuite(name: string, makeStore: () => Promise<RepoStore> | RepoStore) {
  describe(`RepoStore conformance: ${name}`, () => {
    it("starts empty with HEAD on refs/heads/main", async () => {
      const s = await makeStore();
      expect(await s.listRefs()).toEqual([]);
      expect(await s.getHead()).toBe("refs/heads/main");
      await s.setHead("refs/heads/trunk");
      expect(await s.getHead()).toBe("refs/heads/trunk");
    });

    it("puts and gets objects in batches, preserving every field", async () => {
      const s = await makeStore();
      const a = blob("a");
      const b = blob("b");
      const delta: [string, StoredObject] = [
        "c".repeat(40),
        { type: "blob", size: 1, zdata: deflate(new Uint8Array([1, 1, 0x91, 0, 1])), base: a[0], deltaSize: 5, depth: 1 },
      ];
      await s.putObjects([a, b, delta]);
      expect(await s.hasMany([a[0], "f".repeat(40), b[0]])).toEqual([true, false, true]);
      const got = await s.get(delta[0]);
      expect(got).toMatchObject({ type: "blob", size: 1, base: a[0], deltaSize: 5, depth: 1 });
      expect(Array.from(got!.zdata)).toEqual(Array.from(delta[1].zdata));
      expect(await s.get("e".repeat(40))).toBeUndefined();
    });

    it("types (when implemented) answers live objects' types without payloads, undefined for others", async () => {
      const s = await makeStore();
      if (!s.types) return;
      const a = blob("typed");
      await s.putObjects([a]);
      const q = await s.beginQuarantine();
      const hidden = blob("quarantined, not live");
      await q.put([hidden]);
      expect(await s.types([a[0], "f".repeat(40), hidden[0]])).toEqual(["blob", undefined, undefined]);
      await s.abort(q);
    });

    it("stores objects larger than one storage row intact", async () => {
      const s = await makeStore();
      const big = new Uint8Array(5 * 1024 * 1024 + 123);
      for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
      const oid = hashObject("blob", big);
      const z = deflate(big);
      await s.putObjects([[oid, { type: "blob", size: big.length, zdata: z, depth: 0 }]]);
      const got = await s.get(oid);
      expect(got!.zdata.length).toBe(z.length);
      expect(Buffer.from(got!.zdata).equals(Buffer.from(z))).toBe(true);
    });

    it("keeps quarantined objects invisible until commit, and drops them on abort", async () => {
      const s = await makeStore();
      const a = blob("quarantined");
      const q = await s.beginQuarantine();
      await q.put([a]);
      expect(await q.hasMany([a[0]])).toEqual([true]);
      expect(await s.hasMany([a[0]])).toEqual([false]);
      await s.abort(q);
      expect(await s.hasMany([a[0]])).toEqual([false]);

      const q2 = await s.beginQuarantine();
      await q2.put([a]);
      const r = await s.commit(q2, [{ name: "refs/heads/main", old: ZERO_OID, new: a[0] }], { atomic: false });
      expect(r).toEqual([{ name: "refs/heads/main", ok: true }]);
      expect(await s.hasMany([a[0]])).toEqual([true]);
      expect(await s.readRef("refs/heads/main")).toBe(a[0]);
    });

    it("compare-and-swaps refs: a stale old id never overwrites", async () => {
      const s = await makeStore();
      const [x] = blob("x");
      const [y] = blob("y");
      const [z] = blob("z");
      await s.putObjects([blob("x"), blob("y"), blob("z")]);
      expect(await s.commit(undefined, [{ name: "refs/heads/a", old: ZERO_OID, new: x }], { atomic: false })).toEqual([{ name: "refs/heads/a", ok: true }]);
      // create when it exists: refused
      const r1 = await s.commit(undefined, [{ name: "refs/heads/a", old: ZERO_OID, new: y }], { atomic: false });
      expect(r1[0]!.ok).toBe(false);
      // stale old: refused, value kept
      const r2 = await s.commit(undefined, [{ name: "refs/heads/a", old: z, new: y }], { atomic: false });
      expect(r2[0]).toEqual({ name: "refs/heads/a", ok: false, reason: "failed to update ref" });
      expect(await s.readRef("refs/heads/a")).toBe(x);
      // correct old: applied
      expect((await s.commit(undefined, [{ name: "refs/heads/a", old: x, new: y }], { atomic: false }))[0]!.ok).toBe(true);
      // delete
      expect((await s.commit(undefined, [{ name: "refs/heads/a", old: y, new: ZERO_OID }], { atomic: false }))[0]!.ok).toBe(true);
      expect(await s.readRef("refs/heads/a")).toBeUndefined();
    });

    it("applies non-atomic updates independently and atomic ones all-or-nothing", async () => {
      const s = await makeStore();
      const [x] = blob("x");
      const [y] = blob("y");
      await s.putObjects([blob("x"), blob("y")]);
      await s.commit(
        undefined,
        [
          { name: "refs/heads/a", old: ZERO_OID, new: x },
          { name: "refs/heads/b", old: ZERO_OID, new: x },
        ],
        { atomic: false },
      );
      const mixed = await s.commit(
        undefined,
        [
          { name: "refs/heads/a", old: x, new: y },
          { name: "refs/heads/b", old: y, new: x },
        ],
        { atomic: false },
      );
      expect(mixed.map((r) => r.ok)).toEqual([true, false]);
      expect(await s.readRef("refs/heads/a")).toBe(y);

      const q = await s.beginQuarantine();
      const n = blob("new in atomic push");
      await q.put([n]);
      const atomic = await s.commit(
        q,
        [
          { name: "refs/heads/a", old: y, new: n[0] },
          { name: "refs/heads/b", old: y, new: n[0] },
        ],
        { atomic: true },
      );
      expect(atomic).toEqual([
        { name: "refs/heads/a", ok: false, reason: "atomic push failure" },
        { name: "refs/heads/b", ok: false, reason: "failed to update ref" },
      ]);
      expect(await s.readRef("refs/heads/a")).toBe(y);
      expect(await s.hasMany([n[0]])).toEqual([false]);
    });

    it("lists refs sorted by name", async () => {
      const s = await makeStore();
      const [x] = blob("x");
      await s.putObjects([blob("x")]);
      await s.commit(
        undefined,
        ["refs/tags/v1", "refs/heads/z", "refs/heads/a"].map((name) => ({ name, old: ZERO_OID, new: x })),
        { atomic: false },
      );
      expect((await s.listRefs()).map((r) => r.name)).toEqual(["refs/heads/a", "refs/heads/z", "refs/tags/v1"]);
    });

    it("serializes concurrent commits: of two racing updates from the same old id, exactly one wins", async () => {
      const s = await makeStore();
      const [x] = blob("x");
      const [y] = blob("y");
      const [z] = blob("z");
      await s.putObjects([blob("x"), blob("y"), blob("z")]);
      await s.commit(undefined, [{ name: "refs/heads/main", old: ZERO_OID, new: x }], { atomic: false });
      const [r1, r2] = await Promise.all([
        s.commit(undefined, [{ name: "refs/heads/main", old: x, new: y }], { atomic: false }),
        s.commit(undefined, [{ name: "refs/heads/main", old: x, new: z }], { atomic: false }),
      ]);
      expect([r1![0]!.ok, r2![0]!.ok].sort()).toEqual([false, true]);
      expect(await s.readRef("refs/heads/main")).toBe(r1![0]!.ok ? y : z);
    });
  });
}
