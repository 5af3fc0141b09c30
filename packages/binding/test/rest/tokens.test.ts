// Repo tokens over REST (docs/contract.md "REST routes" routes 7–9, "Repo tokens"): issue, list (state filter, page/per_page),
// revoke by id, and what each token then does for a real git client.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { bearerArgs, call, createRepo, expectFail, expectOk, repoUrl, startRest, type RestService } from "./support.js";

interface TokenInfo {
  id: string;
  scope: "read" | "write";
  state: "active" | "expired" | "revoked";
  created_at: string;
  expires_at: string;
}

let svc: RestService;
let sb: GitSandbox;
let src: string;
const NS = "tok";
const tokens = () => `${svc.base}/namespaces/${NS}/tokens`;

beforeAll(async () => {
  svc = await startRest();
  sb = await GitSandbox.create("rest-tokens-");
  src = sb.path("src");
  await sb.ok(["init", "-q", src]);
  await sb.client(src).commit("c", { "f.txt": "x\n" }, 1);
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

/** An already expired token, written through the repo's Durable Object (TTLs below 60 s are refused over REST). */
async function expiredToken(repoId: string): Promise<string> {
  const ns = await svc.mf.getDurableObjectNamespace("REPO", "artifacts");
  const stub = ns.get(ns.idFromName(`${NS}/${repoId}`)) as unknown as { createToken(scope: string, ttl: number): Promise<{ id: string }> };
  const t = await stub.createToken("read", -10);
  return t.id;
}

describe("repo tokens over REST", () => {
  test("POST /tokens is 201 with exactly { id, plaintext, scope, expires_at }; defaults write and 24 h", async () => {
    await createRepo(svc, NS, "t1");
    const before = Date.now();
    const r = expectOk<Record<string, string>>(await call(tokens(), { method: "POST", body: { repo: "T1" } }), 201);
    expect(Object.keys(r).sort()).toEqual(["expires_at", "id", "plaintext", "scope"]);
    expect(r.id).toMatch(/^[0-9a-z]{16}$/);
    expect(r.scope).toBe("write");
    expect(r.plaintext).toMatch(/^art_v1_[0-9a-f]{40}\?expires=\d+$/);
    const exp = Date.parse(r.expires_at!);
    expect(Math.abs(exp - (before + 86_400_000))).toBeLessThan(10_000);
    expect(Number(r.plaintext!.split("expires=")[1])).toBe(Math.floor(exp / 1000));

    const read = expectOk<Record<string, string>>(await call(tokens(), { method: "POST", body: { repo: "t1", scope: "read", ttl: 60 } }), 201);
    expect(read.scope).toBe("read");
    expect(Math.abs(Date.parse(read.expires_at!) - (Date.now() + 60_000))).toBeLessThan(10_000);
    expectOk(await call(tokens(), { method: "POST", body: { repo: "t1", ttl: 31_536_000 } }), 201);
  });

  test("bad token requests: 10103 for the TTL, 10100 for scope and repo, 10101 for a bad name, 404 for no repo", async () => {
    for (const ttl of [59, 0, -1, 31_536_001, 1.5, "600"]) expectFail(await call(tokens(), { method: "POST", body: { repo: "t1", ttl } }), 400, 10103);
    expectFail(await call(tokens(), { method: "POST", body: { repo: "t1", scope: "admin" } }), 400, 10100);
    expectFail(await call(tokens(), { method: "POST", body: {} }), 400, 10100);
    expectFail(await call(tokens(), { method: "POST", body: { repo: 7 } }), 400, 10100);
    expectFail(await call(tokens(), { method: "POST", body: { repo: "bad name" } }), 400, 10101);
    expectFail(await call(tokens(), { method: "POST", body: { repo: "nope" } }), 404, 10200);
  });

  test("list filters by state (default active) and pages with page/per_page and offset result_info", async () => {
    const repo = await createRepo(svc, NS, "t2");
    const made: string[] = [];
    for (let i = 0; i < 6; i++)
      made.push(expectOk<{ id: string }>(await call(tokens(), { method: "POST", body: { repo: "t2", scope: i % 2 ? "read" : "write" } }), 201).id);
    const revoked = made[0]!;
    expectOk(await call(`${tokens()}/${revoked}`, { method: "DELETE" }));
    const expired = await expiredToken(repo.id);

    const url = `${repoUrl(svc, NS, "t2")}/tokens`;
    const active = await call<TokenInfo[]>(url);
    const act = expectOk(active);
    // The initial token from create plus five of the six made here.
    expect(act).toHaveLength(6);
    expect(act.every((t) => t.state === "active")).toBe(true);
    expect(active.body.result_info).toEqual({ page: 1, per_page: 30, total_pages: 1, count: 6, total_count: 6 });
    for (const t of act) expect(Object.keys(t).sort()).toEqual(["created_at", "expires_at", "id", "scope", "state"]);
    expect(active.text).not.toMatch(/art_v/);

    expect(expectOk(await call<TokenInfo[]>(`${url}?state=revoked`)).map((t) => [t.id, t.state])).toEqual([[revoked, "revoked"]]);
    expect(expectOk(await call<TokenInfo[]>(`${url}?state=expired`)).map((t) => [t.id, t.state])).toEqual([[expired, "expired"]]);
    const all = expectOk(await call<TokenInfo[]>(`${url}?state=all&per_page=100`));
    expect(all).toHaveLength(8);
    expect(new Set(all.map((t) => t.id)).size).toBe(8);

    const paged: TokenInfo[] = [];
    for (let page = 1; page <= 3; page++) {
      const r = await call<TokenInfo[]>(`${url}?state=all&per_page=3&page=${page}`);
      const items = expectOk(r);
      expect(r.body.result_info).toEqual({ page, per_page: 3, total_pages: 3, count: items.length, total_count: 8 });
      paged.push(...items);
    }
    expect(paged.map((t) => t.id)).toEqual(all.map((t) => t.id));
    expect(expectOk(await call(`${url}?state=all&per_page=3&page=4`))).toEqual([]);

    for (const q of ["state=gone", "per_page=0", "per_page=101", "page=0", "page=x"]) expectFail(await call(`${url}?${q}`), 400, 10100);
    expectFail(await call(`${repoUrl(svc, NS, "nope")}/tokens`), 404, 10200);
  });

  test("revoke by id: 200 { id } once, then 404; malformed ids 400; other namespaces' tokens 404", async () => {
    await createRepo(svc, NS, "t3");
    const t = expectOk<{ id: string }>(await call(tokens(), { method: "POST", body: { repo: "t3" } }), 201);
    expect(expectOk(await call(`${tokens()}/${t.id}`, { method: "DELETE" }))).toEqual({ id: t.id });
    expectFail(await call(`${tokens()}/${t.id}`, { method: "DELETE" }), 404, 10200);
    expectFail(await call(`${tokens()}/zzzzzzzzzzzzzzzz`, { method: "DELETE" }), 404, 10200);
    for (const id of ["short", "UPPERCASE0123456", "0123456789abcdefg"]) expectFail(await call(`${tokens()}/${id}`, { method: "DELETE" }), 400, 10100);

    await createRepo(svc, "tok-other", "t3");
    const other = expectOk<{ id: string }>(await call(`${svc.base}/namespaces/tok-other/tokens`, { method: "POST", body: { repo: "t3" } }), 201);
    expectFail(await call(`${tokens()}/${other.id}`, { method: "DELETE" }), 404, 10200);
    expect(expectOk(await call(`${svc.base}/namespaces/tok-other/tokens/${other.id}`, { method: "DELETE" }))).toEqual({ id: other.id });
  });

  test("with git: a read token fetches but cannot push (403); a write token pushes; a revoked one is refused (403, naming why)", async () => {
    const repo = await createRepo(svc, NS, "t4");
    const read = expectOk<{ plaintext: string }>(await call(tokens(), { method: "POST", body: { repo: "t4", scope: "read" } }), 201);
    const write = expectOk<{ id: string; plaintext: string }>(await call(tokens(), { method: "POST", body: { repo: "t4", scope: "write", ttl: 600 } }), 201);

    const denied = await sb.run([...bearerArgs(read.plaintext), "push", repo.remote, "main"], { cwd: src });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/403/);
    await sb.ok([...bearerArgs(write.plaintext), "push", "-q", repo.remote, "main"], { cwd: src });
    expect(await sb.ok([...bearerArgs(read.plaintext), "ls-remote", repo.remote])).toMatch(/refs\/heads\/main/);
    expect(expectOk<{ last_push_at: string | null }>(await call(repoUrl(svc, NS, "t4"))).last_push_at).not.toBeNull();

    expectOk(await call(`${tokens()}/${write.id}`, { method: "DELETE" }));
    const after = await sb.run([...bearerArgs(write.plaintext), "ls-remote", repo.remote]);
    expect(after.code).not.toBe(0);
    expect(after.stderr).toMatch(/remote: Artifacts token revoked at /);
    const res = await fetch(`${repo.remote}/info/refs?service=git-upload-pack`, { headers: { Authorization: `Bearer ${write.plaintext}` } });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/^Artifacts token revoked at \d{4}-/);
  });

  test("deleting a repo deletes its tokens", async () => {
    await createRepo(svc, NS, "t5");
    const t = expectOk<{ id: string }>(await call(tokens(), { method: "POST", body: { repo: "t5" } }), 201);
    expectOk(await call(repoUrl(svc, NS, "t5"), { method: "DELETE" }), 202);
    await createRepo(svc, NS, "t5");
    expect(expectOk<TokenInfo[]>(await call(`${repoUrl(svc, NS, "t5")}/tokens?state=all`)).map((x) => x.id)).not.toContain(t.id);
    expectFail(await call(`${tokens()}/${t.id}`, { method: "DELETE" }), 404, 10200);
  });
});
