/**
 * The engine's storage conformance suite (packages/git/testing/storage-suite.ts) against the
 * binding's SqlRepoStore, inside workerd: every store call runs in the Durable Object's own
 * context through runInDurableObject, so SQLite, transactionSync and input gates are the real ones.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { runStorageSuite, blob } from "@artifacts-emulator/git/testing";
import { ZERO_OID, type Quarantine, type RepoStore } from "@artifacts-emulator/git";
import type { SqlRepoStore } from "../../src/repo/sql-store.js";
import type { StoreObject } from "./store-worker.mjs";

const ns = (env as unknown as { STORE: DurableObjectNamespace<StoreObject> }).STORE;
let seq = 0;
const freshStub = (label = "suite") => ns.get(ns.idFromName(`${label}-${seq++}-${Date.now()}`));

/** A RepoStore whose every call runs inside the Durable Object that owns the SqlRepoStore. */
function storeIn(stub: DurableObjectStub<StoreObject>): RepoStore {
  const run = <T,>(fn: (s: SqlRepoStore) => T | Promise<T>) => runInDurableObject(stub, (o: StoreObject) => fn(o.store));
  const inner = new WeakMap<Quarantine, Quarantine>();
  return {
    hasMany: (oids) => run((s) => s.hasMany(oids)),
    get: (oid) => run((s) => s.get(oid)),
    listRefs: () => run((s) => s.listRefs()),
    readRef: (name) => run((s) => s.readRef(name)),
    getHead: () => run((s) => s.getHead()),
    setHead: (target) => run((s) => s.setHead(target)),
    putObjects: (objects) => run((s) => s.putObjects(objects)),
    beginQuarantine: async () => {
      const q = await run((s) => s.beginQuarantine());
      const outer: Quarantine = {
        put: (objects) => run(() => q.put(objects)),
        hasMany: (oids) => run(() => q.hasMany(oids)),
        get: (oid) => run(() => q.get(oid)),
      };
      inner.set(outer, q);
      return outer;
    },
    commit: (q, updates, opts) => run((s) => s.commit(q && inner.get(q), updates, opts)),
    abort: (q) => run((s) => s.abort(inner.get(q)!)),
  };
}

runStorageSuite("SqlRepoStore (Durable Object SQLite in workerd)", () => storeIn(freshStub()));

describe("SqlRepoStore beyond the suite", () => {
  it("keeps objects, refs and HEAD in durable storage (a new store over the same storage sees them)", async () => {
    const stub = freshStub("durable");
    const a = blob("durable");
    await storeIn(stub).putObjects([a]);
    await storeIn(stub).commit(undefined, [{ name: "refs/heads/main", old: ZERO_OID, new: a[0] }], { atomic: false });
    await storeIn(stub).setHead("refs/heads/trunk");
    const seen = await runInDurableObject(stub, async (_o: StoreObject, state) => {
      const { SqlRepoStore } = await import("../../src/repo/sql-store.js");
      const again = new SqlRepoStore(state.storage);
      return { refs: await again.listRefs(), head: await again.getHead(), has: await again.hasMany([a[0]]) };
    });
    expect(seen).toEqual({ refs: [{ name: "refs/heads/main", oid: a[0] }], head: "refs/heads/trunk", has: [true] });
  });

  it("sweeps quarantines of pushes that died, and only old ones", async () => {
    const stub = freshStub("sweep");
    const store = storeIn(stub);
    const old = await store.beginQuarantine();
    await old.put([blob("abandoned")]);
    const swept = await runInDurableObject(stub, (o: StoreObject) => o.store.sweepQuarantines(Date.now() + 2 * 60 * 60 * 1000));
    expect(swept).toBe(1);
    expect(await old.hasMany([blob("abandoned")[0]])).toEqual([false]);
    const fresh = await store.beginQuarantine();
    await fresh.put([blob("in flight")]);
    expect(await runInDurableObject(stub, (o: StoreObject) => o.store.sweepQuarantines())).toBe(0);
    expect(await fresh.hasMany([blob("in flight")[0]])).toEqual([true]);
  });

  it("counts live objects and their stored bytes", async () => {
    const stub = freshStub("stats");
    const store = storeIn(stub);
    await store.putObjects([blob("one"), blob("two")]);
    const q = await store.beginQuarantine();
    await q.put([blob("not live yet")]);
    const stats = await runInDurableObject(stub, (o: StoreObject) => o.store.objectStats());
    expect(stats.objects).toBe(2);
    expect(stats.bytes).toBe(blob("one")[1].zdata.length + blob("two")[1].zdata.length);
  });
});
