// The registry's bookkeeping (docs/architecture.md): two-phase create and its crash repair by the
// alarm's sweep, retention, inactive-token pruning (docs/contract.md "Limits": 100 per repo), and the account's
// copy of each namespace's repo count.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ADMIN_TOKEN, rejection, startService, type ServiceHandle } from "../support/service.js";
import { events, fails } from "./helpers.js";

let svc: ServiceHandle;

beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.close();
});

interface NsStub {
  reserve(namespace: string, meta: Record<string, unknown>): Promise<{ staleId?: string }>;
  prune(now?: number): Promise<{ audit: number; events: number; tokens: number; stale: number }>;
  summary(): Promise<{ repoCount: number }>;
}
interface RepoStub {
  initWithToken(meta: Record<string, unknown>, scope: string, ttl: number): Promise<{ id: string }>;
  info(): Promise<unknown>;
}

const nsStub = async (name = "default") => {
  const ns = await svc.mf.getDurableObjectNamespace("NAMESPACE", "artifacts");
  return ns.get(ns.idFromName(name)) as unknown as NsStub;
};
const repoStub = async (id: string, namespace = "default") => {
  const ns = await svc.mf.getDurableObjectNamespace("REPO", "artifacts");
  return ns.get(ns.idFromName(`${namespace}/${id}`)) as unknown as RepoStub;
};
const rest = async (path: string) => {
  const r = await fetch(`${svc.url}/client/v4/accounts/local/artifacts${path}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  return (await r.json()) as { success: boolean; result: any };
};

const MINUTE = 60_000;
const DAY = 86_400_000;

describe("two-phase create", () => {
  test("a create that crashed after its reservation is swept by the alarm's pruning: the repo object is emptied and the name freed", async () => {
    const ns = await nsStub();
    const now = new Date().toISOString();
    const meta = {
      id: "crashedcreate0001",
      name: "half-made",
      namespace: "default",
      description: null,
      defaultBranch: "main",
      createdAt: now,
      updatedAt: now,
      lastPushAt: null,
      source: null,
      readOnly: false,
    };
    // Phase 1 and the repo object's init happened; the Worker died before activation.
    expect(await ns.reserve("default", meta)).toEqual({});
    const repo = await repoStub(meta.id);
    await repo.initWithToken(meta, "write", 3600);
    expect(await repo.info()).toMatchObject({ name: "half-made" });
    // CREATE_IN_PROGRESS has no documented number (helpers' table is the contract's), so check the code alone.
    expect(await rejection(() => svc.artifacts.get("half-made"))).toMatchObject({ name: "ArtifactsError", code: "CREATE_IN_PROGRESS" });
    await fails(() => svc.artifacts.create("half-made"), "ALREADY_EXISTS");
    const listed = await svc.artifacts.list({ limit: 200 });
    expect(listed.repos.map((r: { name: string }) => r.name)).not.toContain("half-made");

    // Not yet stale: nothing is swept.
    expect((await ns.prune(Date.now())).stale).toBe(0);
    // Ten minutes on, the reservation is abandoned: the sweep empties the repo object and drops the record.
    expect((await ns.prune(Date.now() + 11 * MINUTE)).stale).toBe(1);
    expect(await repo.info()).toBeNull();
    await fails(() => svc.artifacts.get("half-made"), "NOT_FOUND");
    const again = await svc.artifacts.create("half-made");
    expect(again.id).not.toBe(meta.id);
  });

  test("a failed create (its reservation is gone before activation) leaves no repo, no count, no events", async () => {
    const ns = await nsStub();
    const before = (await ns.summary()).repoCount;
    const eventsBefore = (await events(svc)).length;
    // The second create of a name fails at reservation; nothing of it is left anywhere.
    await svc.artifacts.create("only-once");
    await fails(() => svc.artifacts.create("ONLY-once"), "ALREADY_EXISTS");
    expect((await ns.summary()).repoCount).toBe(before + 1);
    const after = await events(svc);
    // created + token.created for the first create only
    expect(after.length - eventsBefore).toBe(2);
    expect(after.slice(-2).map((e) => e.type)).toEqual(["cf.artifacts.repo.created", "cf.artifacts.repo.token.created"]);
  });
});

describe("retention and pruning", () => {
  test("audit entries, events and expired tokens' index entries go after AUDIT_RETENTION_DAYS (7) on the alarm", async () => {
    await svc.artifacts.create("old-news");
    const ns = await nsStub();
    const soon = await ns.prune(Date.now() + 60 * MINUTE);
    expect(soon).toEqual({ audit: 0, events: 0, tokens: 0, stale: 0 });
    // After 8 days everything recorded so far is past retention; the 24 h tokens have expired.
    const later = await ns.prune(Date.now() + 8 * DAY);
    expect(later.audit).toBeGreaterThan(0);
    expect(later.events).toBeGreaterThan(0);
    expect(later.tokens).toBeGreaterThan(0);
    expect(await events(svc)).toEqual([]);
  });

  test("a repo keeps at most 100 inactive tokens, the newest; active ones are never pruned", async () => {
    await svc.artifacts.create("many-tokens");
    const repo = await svc.artifacts.get("many-tokens");
    const made: string[] = [];
    for (let i = 0; i < 110; i++) made.push((await repo.createToken("read", 60)).id);
    for (const id of made.slice(0, 105)) expect(await repo.revokeToken(id)).toBe(true);
    const revoked = await rest("/namespaces/default/repos/many-tokens/tokens?state=revoked&per_page=100");
    // The five oldest revocations were pruned; the newest 100 remain, newest first.
    expect(revoked.result.map((t: { id: string }) => t.id)).toEqual(made.slice(5, 105).reverse());
    const active = await rest("/namespaces/default/repos/many-tokens/tokens?state=active&per_page=100");
    // the create's own write token plus the five never revoked
    expect(active.result.length).toBe(6);
    const listed = await repo.listTokens();
    expect(listed.total).toBe(106);
    expect(listed.tokens.length).toBe(30);
    expect(listed.tokens.slice(0, 6).every((t: { state: string }) => t.state === "active")).toBe(true);
  });
});

describe("namespace counts", () => {
  test("the namespace object's count is the truth; the account's copy (namespace list) catches up without a round trip per create", async () => {
    const art = svc.artifacts;
    for (let i = 0; i < 5; i++) await art.create(`count-${i}`);
    await art.delete("count-0");
    const ns = await nsStub();
    const live = (await ns.summary()).repoCount;
    const got = await rest("/namespaces/default");
    expect(got.result).toMatchObject({ namespace: "default", repo_count: live });
    // The list reads the account's copy, pushed after each change (one push in flight at a time).
    let listed = -1;
    for (let i = 0; i < 50 && listed !== live; i++) {
      const l = await rest("/namespaces");
      listed = l.result.find((n: { namespace: string }) => n.namespace === "default")?.repo_count ?? -1;
      if (listed !== live) await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed).toBe(live);
  });
});
