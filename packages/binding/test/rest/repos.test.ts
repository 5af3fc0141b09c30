// REST control plane, docs/contract.md "REST routes" routes 1–6 and 10–12, on both bases, over real HTTP.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { bearerArgs, call, createRepo, expectFail, expectOk, startRest, type RestService } from "./support.js";

let svc: RestService;
let sb: GitSandbox;
let src: string;

beforeAll(async () => {
  svc = await startRest({ vars: { ALLOW_HTTP_IMPORT: "1" } });
  sb = await GitSandbox.create("rest-repos-");
  src = sb.path("src");
  await sb.ok(["init", "-q", src]);
  const c = sb.client(src);
  await c.commit("first", { "README.md": "# hello\n" }, 1);
  await c.ok(["branch", "feature"]);
  await c.commit("second", { "a.txt": "a\n" }, 2);
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

const CREATE_KEYS = ["default_branch", "description", "id", "name", "remote", "token"];
const INFO_KEYS = ["created_at", "default_branch", "description", "id", "last_push_at", "name", "read_only", "remote", "source", "status", "updated_at"];

// The same routes under the current v4 base and the older /v1/api base (docs/contract.md "REST base and auth", "Open questions" 1).
for (const [label, baseOf] of [
  ["v4", (s: RestService) => s.base],
  ["v1", (s: RestService) => `${s.url}/v1/api`],
] as const) {
  describe(`repos under the ${label} base`, () => {
    const ns = `ns-${label}`;
    const repos = () => `${baseOf(svc)}/namespaces/${ns}/repos`;

    test("create is 201 with exactly the CreateRepoResult fields; get is RepoWithRemote in snake_case", async () => {
      const r = expectOk<Record<string, unknown>>(
        await call(repos(), { method: "POST", body: { name: "Demo", description: "d", default_branch: "trunk" } }),
        201,
      );
      expect(Object.keys(r).sort()).toEqual(CREATE_KEYS);
      expect(r).toMatchObject({ name: "Demo", description: "d", default_branch: "trunk" });
      expect(r.id).toMatch(/^[0-9a-z]{16}$/);
      expect(r.token).toMatch(/^art_v1_[0-9a-f]{40}\?expires=\d+$/);
      expect(r.remote).toBe(`${svc.url}/git/${ns}/Demo.git`);

      // Lookups ignore case and keep the created spelling (docs/contract.md "Names").
      const g = expectOk<Record<string, unknown>>(await call(`${repos()}/dEMO`));
      expect(Object.keys(g).sort()).toEqual(INFO_KEYS);
      expect(g).toMatchObject({
        id: r.id,
        name: "Demo",
        description: "d",
        default_branch: "trunk",
        read_only: false,
        status: "ready",
        source: null,
        last_push_at: null,
        remote: r.remote,
      });
      expect(Date.parse(g.created_at as string)).not.toBeNaN();
      const plain = expectOk<Record<string, unknown>>(await call(repos(), { method: "POST", body: { name: "plain" } }), 201);
      expect(plain).toMatchObject({ description: null, default_branch: "main" });
      expect(expectOk<Record<string, unknown>>(await call(`${repos()}/plain`)).read_only).toBe(false);
    });

    test("409 for a taken name (any case), and the SDK is told not to retry it", async () => {
      await call(repos(), { method: "POST", body: { name: "taken" } });
      const r = await call(repos(), { method: "POST", body: { name: "TAKEN" } });
      expectFail(r, 409, 10201);
      expect(r.headers.get("x-should-retry")).toBe("false");
    });

    test("400 with 10101 for bad names and 10100 for bad options", async () => {
      for (const name of ["bad name", "-lead", ".dot", "a/b", "", "x".repeat(64), 42, null])
        expectFail(await call(repos(), { method: "POST", body: { name } }), 400, 10101);
      expectFail(await call(repos(), { method: "POST", body: {} }), 400, 10101);
      expectFail(await call(repos(), { method: "POST", body: { name: "ok1", read_only: "yes" } }), 400, 10100);
      expectFail(await call(repos(), { method: "POST", body: { name: "ok1", description: 5 } }), 400, 10100);
      for (const b of ["a..b", "-x", "x.lock", "a b", "@", "x/"])
        expectFail(await call(repos(), { method: "POST", body: { name: "ok1", default_branch: b } }), 400, 10100);
      expectFail(await call(`${repos()}/-bad`), 400, 10101);
      expectFail(await call(`${repos()}/bad%20name`), 400, 10101);
      expectFail(await call(`${repos()}/%E0%A4%A`), 400, 10100);
      // Nothing was created by the refusals.
      expectFail(await call(`${repos()}/ok1`), 404, 10200);
    });

    test("read_only is stored and reported", async () => {
      expectOk(await call(repos(), { method: "POST", body: { name: "ro", read_only: true } }), 201);
      expect(expectOk<{ read_only: boolean }>(await call(`${repos()}/ro`)).read_only).toBe(true);
    });

    test("delete is 202 with { id }; afterwards the repo is 404 and a second delete is 404", async () => {
      const c = expectOk<{ id: string }>(await call(repos(), { method: "POST", body: { name: "gone" } }), 201);
      const d = await call(`${repos()}/GONE`, { method: "DELETE" });
      expect(expectOk(d, 202)).toEqual({ id: c.id });
      expectFail(await call(`${repos()}/gone`), 404, 10200);
      expectFail(await call(`${repos()}/gone`, { method: "DELETE" }), 404, 10200);
      expectFail(await call(`${repos()}/-bad`, { method: "DELETE" }), 400, 10101);
      // The name is free again, with a new id.
      const again = expectOk<{ id: string }>(await call(repos(), { method: "POST", body: { name: "gone" } }), 201);
      expect(again.id).not.toBe(c.id);
    });
  });
}

describe("fork and import", () => {
  const ns = "fk";
  const repos = () => `${svc.base}/namespaces/${ns}/repos`;

  test("fork is 201 with objects; default_branch_only copies one branch or all; errors are 404/409/400", async () => {
    const s = await createRepo(svc, ns, "origin");
    await sb.ok([...bearerArgs(s.token), "push", "-q", s.remote, "main", "feature"], { cwd: src });

    const f = expectOk<Record<string, unknown>>(
      await call(`${repos()}/origin/fork`, { method: "POST", body: { name: "copy", description: "mine", read_only: true } }),
      201,
    );
    expect(Object.keys(f).sort()).toEqual([...CREATE_KEYS, "objects"].sort());
    expect(f).toMatchObject({ name: "copy", description: "mine", default_branch: "main" });
    expect(f.objects).toBeGreaterThan(0);
    const info = expectOk<Record<string, unknown>>(await call(`${repos()}/copy`));
    expect(info).toMatchObject({ source: `artifacts:${ns}/origin`, read_only: true });
    const one = await sb.ok([...bearerArgs(f.token as string), "ls-remote", "--heads", f.remote as string]);
    expect(one).toMatch(/refs\/heads\/main/);
    expect(one).not.toMatch(/refs\/heads\/feature/);

    const all = expectOk<{ token: string; remote: string }>(
      await call(`${repos()}/origin/fork`, { method: "POST", body: { name: "copy-all", default_branch_only: false } }),
      201,
    );
    expect(await sb.ok([...bearerArgs(all.token), "ls-remote", "--heads", all.remote])).toMatch(/refs\/heads\/feature/);

    expectFail(await call(`${repos()}/nope/fork`, { method: "POST", body: { name: "x1" } }), 404, 10200);
    expectFail(await call(`${repos()}/origin/fork`, { method: "POST", body: { name: "COPY" } }), 409, 10201);
    expectFail(await call(`${repos()}/origin/fork`, { method: "POST", body: { name: "bad name" } }), 400, 10101);
    expectFail(await call(`${repos()}/origin/fork`, { method: "POST", body: { name: "x2", default_branch_only: "no" } }), 400, 10100);
  });

  test("import is 201 and clones a real remote (credentials in the URL are not kept); bad input is 400, taken is 409", async () => {
    const s = await createRepo(svc, ns, "upstream");
    await sb.ok([...bearerArgs(s.token), "push", "-q", s.remote, "main", "feature"], { cwd: src });
    const secret = s.token.split("?")[0]!;
    const withCreds = s.remote.replace("http://", `http://x:${secret}@`);

    const r = expectOk<Record<string, unknown>>(await call(`${repos()}/imported/import`, { method: "POST", body: { url: withCreds, branch: "feature" } }), 201);
    expect(Object.keys(r).sort()).toEqual(CREATE_KEYS);
    expect(r).toMatchObject({ name: "imported", default_branch: "feature" });
    const info = expectOk<Record<string, unknown>>(await call(`${repos()}/imported`));
    expect(info.source).toBe(`git:${s.remote}`);
    expect(JSON.stringify(info)).not.toContain(secret);
    const heads = await sb.ok([...bearerArgs(r.token as string), "ls-remote", "--heads", r.remote as string]);
    expect(heads.trim().split("\n")).toHaveLength(1);

    expectFail(await call(`${repos()}/imported/import`, { method: "POST", body: { url: withCreds } }), 409, 10201);
    expectFail(await call(`${repos()}/i2/import`, { method: "POST", body: {} }), 400, 10100);
    expectFail(await call(`${repos()}/i2/import`, { method: "POST", body: { url: "not a url" } }), 400, 10100);
    expectFail(await call(`${repos()}/i2/import`, { method: "POST", body: { url: "ftp://example.com/x.git" } }), 400, 10100);
    expectFail(await call(`${repos()}/i2/import`, { method: "POST", body: { url: withCreds, depth: 0 } }), 400, 10100);
    expectFail(await call(`${repos()}/bad%20name/import`, { method: "POST", body: { url: withCreds } }), 400, 10101);
    // A remote that needs credentials and got none.
    expectFail(await call(`${repos()}/i3/import`, { method: "POST", body: { url: s.remote } }), 422, 10106);
    expectFail(await call(`${repos()}/i3`), 404, 10200);
  });
});

describe("namespaces", () => {
  test("list, get, create; implicit namespaces appear with their repo_count", async () => {
    await createRepo(svc, "nsa", "one");
    await createRepo(svc, "nsa", "two");
    const got = expectOk<Record<string, unknown>>(await call(`${svc.base}/namespaces/nsa`));
    expect(got).toMatchObject({ namespace: "nsa", repo_count: 2, jurisdiction: "unrestricted" });
    expect(Date.parse(got.created_at as string)).not.toBeNaN();
    expect(Date.parse(got.updated_at as string)).not.toBeNaN();

    const made = expectOk<Record<string, unknown>>(
      await call(`${svc.base}/namespaces`, { method: "POST", body: { namespace: "eu-data", jurisdiction: "eu" } }),
      201,
    );
    expect(made).toMatchObject({ namespace: "eu-data", repo_count: 0, jurisdiction: "eu" });
    expectFail(await call(`${svc.base}/namespaces`, { method: "POST", body: { namespace: "eu-data" } }), 409, 10201);
    expectFail(await call(`${svc.base}/namespaces`, { method: "POST", body: { namespace: "nsa" } }), 409, 10201);
    expectFail(await call(`${svc.base}/namespaces`, { method: "POST", body: { namespace: "x", jurisdiction: "mars" } }), 400, 10100);
    expectFail(await call(`${svc.base}/namespaces`, { method: "POST", body: { namespace: "bad name" } }), 400, 10100);
    expectOk(await call(`${svc.base}/namespaces`, { method: "POST", body: { namespace: "plain-ns" } }), 201);

    const list = await call<Array<{ namespace: string }>>(`${svc.base}/namespaces`);
    const names = expectOk(list).map((n) => n.namespace);
    expect(names).toEqual([...names].sort());
    for (const n of ["nsa", "eu-data", "plain-ns", "ns-v4", "fk"]) expect(names).toContain(n);
    expect(list.body.result_info).toMatchObject({ cursor: "", page: 1, per_page: 100, count: names.length, total_count: names.length });

    expectFail(await call(`${svc.base}/namespaces/never-made`), 404, 10200);
    expectFail(await call(`${svc.base}/namespaces/bad%20name`), 400, 10100);
    // The old base has namespace routes too.
    expect(expectOk<{ namespace: string }>(await call(`${svc.url}/v1/api/namespaces/nsa`)).namespace).toBe("nsa");
  });

  test("namespace listing pages by cursor and by page without duplicates", async () => {
    for (let i = 0; i < 7; i++) expectOk(await call(`${svc.base}/namespaces`, { method: "POST", body: { namespace: `pg-${i}` } }), 201);
    const all = expectOk<Array<{ namespace: string }>>(await call(`${svc.base}/namespaces?limit=200`)).map((n) => n.namespace);
    const byCursor: string[] = [];
    let cursor = "";
    for (let i = 0; i < 50; i++) {
      const r = await call<Array<{ namespace: string }>>(`${svc.base}/namespaces?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      byCursor.push(...expectOk(r).map((n) => n.namespace));
      cursor = r.body.result_info!.cursor as string;
      if (!cursor) break;
    }
    expect(byCursor).toEqual(all);
    const byPage: string[] = [];
    for (let page = 1; page < 50; page++) {
      const r = await call<Array<{ namespace: string }>>(`${svc.base}/namespaces?per_page=3&page=${page}`);
      byPage.push(...expectOk(r).map((n) => n.namespace));
      const info = r.body.result_info as { page: number; per_page: number; total_count: number };
      expect(info.total_count).toBe(all.length);
      if (info.page * info.per_page >= info.total_count) break;
    }
    expect(byPage).toEqual(all);
    expectFail(await call(`${svc.base}/namespaces?limit=0`), 400, 10100);
    expectFail(await call(`${svc.base}/namespaces?limit=201`), 400, 10100);
  });
});

describe("the /v1/api base serves every route the v4 base does", () => {
  test("list, fork, import, tokens, revoke and every read route, with the same envelopes", async () => {
    const v1 = `${svc.url}/v1/api/namespaces/par`;
    const made = expectOk<{ token: string; remote: string }>(await call(`${v1}/repos`, { method: "POST", body: { name: "p" } }), 201);
    await sb.ok([...bearerArgs(made.token), "push", "-q", made.remote, "main"], { cwd: src });
    const list = await call<Array<{ name: string }>>(`${v1}/repos?limit=1`);
    expect(expectOk(list).map((r) => r.name)).toEqual(["p"]);
    expect(list.body.result_info).toMatchObject({ cursor: "", per_page: 1, count: 1, total_count: 1 });
    expect(expectOk<{ objects: number }>(await call(`${v1}/repos/p/fork`, { method: "POST", body: { name: "p2" } }), 201).objects).toBeGreaterThan(0);
    expectFail(await call(`${v1}/repos/p3/import`, { method: "POST", body: { url: "nope" } }), 400, 10100);
    const t = expectOk<{ id: string }>(await call(`${v1}/tokens`, { method: "POST", body: { repo: "p", scope: "read" } }), 201);
    const tokens = await call<Array<{ id: string }>>(`${v1}/repos/p/tokens?per_page=1`);
    expect(tokens.body.result_info).toMatchObject({ page: 1, per_page: 1, total_count: 2, total_pages: 2 });
    expect(expectOk(await call(`${v1}/tokens/${t.id}`, { method: "DELETE" }))).toEqual({ id: t.id });
    const log = expectOk<Array<{ hash: string; tree_hash: string }>>(await call(`${v1}/repos/p/log`));
    expect(log.map((c) => c.hash)).toEqual(
      await sb
        .client(src)
        .line(["rev-list", "--first-parent", "main"])
        .then((s) => s.split("\n")),
    );
    expect(expectOk<{ hash: string }>(await call(`${v1}/repos/p/commit/${log[0]!.hash}`)).hash).toBe(log[0]!.hash);
    const tree = expectOk<Array<{ name: string; hash: string }>>(await call(`${v1}/repos/p/tree/${log[0]!.tree_hash}`));
    const readme = tree.find((e) => e.name === "README.md")!;
    const auth = { headers: { Authorization: "Bearer test-admin-token-0123456789" } };
    expect(await (await fetch(`${v1}/repos/p/blob/${readme.hash}`, auth)).text()).toBe("# hello\n");
    expect(await (await fetch(`${v1}/repos/p/file?path=README.md`, auth)).text()).toBe("# hello\n");
    const raw = await fetch(`${v1}/repos/p/raw/main/README.md`, auth);
    expect(raw.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await raw.text()).toBe("# hello\n");
    expect(expectOk<{ namespace: string; repo_count: number }>(await call(`${svc.url}/v1/api/namespaces/par`))).toMatchObject({
      namespace: "par",
      repo_count: 2,
    });
    expect(expectOk<Array<{ namespace: string }>>(await call(`${svc.url}/v1/api/namespaces`)).map((n) => n.namespace)).toContain("par");
    expect(expectOk(await call(`${v1}/repos/p2`, { method: "DELETE" }), 202)).toMatchObject({ id: expect.any(String) });
    expectFail(await call(`${svc.url}/v1/api/api-tokens`), 404, 7003);
  });
});
