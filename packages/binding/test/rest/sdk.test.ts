/**
 * Cloudflare's TypeScript SDK (`cloudflare` 7.3.0, the current major) against the emulator, with
 * `baseURL: <service>/client/v4` and `apiToken`. 7.3.0 has no `artifacts` resource, so Artifacts
 * routes go through the SDK's generic verbs and its own pagination classes; the account routes
 * go through its real resources (user.tokens.verify, accounts.list, memberships.list, user.get).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import Cloudflare from "cloudflare";
import { CursorLimitPagination, V4PagePaginationArray } from "cloudflare/pagination";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { ACCT, apiToken, createRepo, startRest, type RestService } from "./support.js";

let svc: RestService;
let cf: Cloudflare;
let token: { id: string; value: string };
let readToken: string;
const NS = "sdk";
const base = `/accounts/${ACCT}/artifacts/namespaces/${NS}`;

interface Repo {
  id: string;
  name: string;
  remote: string;
  token?: string;
  default_branch: string;
  read_only: boolean;
  status?: string;
}

beforeAll(async () => {
  svc = await startRest();
  token = await apiToken(svc, { scopes: ["artifacts:write"] });
  readToken = (await apiToken(svc, { scopes: ["artifacts:read"] })).value;
  cf = new Cloudflare({ apiToken: token.value, baseURL: `${svc.url}/client/v4` });
});
afterAll(() => svc?.close());

/** The SDK's own envelope unwrapping, exactly as its generated resources do it. */
function unwrap<T>(p: ReturnType<Cloudflare["get"]>): Promise<T> {
  return p._thenUnwrap((env) => {
    const e = env as { success: boolean; errors: unknown[]; messages: unknown[]; result: T };
    expect(e.success).toBe(true);
    expect(e.errors).toEqual([]);
    return e.result;
  }) as unknown as Promise<T>;
}

async function apiError(p: Promise<unknown>): Promise<InstanceType<typeof Cloudflare.APIError>> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Cloudflare.APIError) return e;
    throw e;
  }
  throw new Error("expected an APIError");
}

/** How many requests Miniflare logged for `method path` (retries included). */
const requests = (method: string, path: string) => svc.logs.filter((l) => l.includes(`${method} /client/v4${path} `)).length;

describe("cloudflare SDK", () => {
  test("its account resources work against the emulator and unwrap the v4 envelope", async () => {
    expect(await cf.user.tokens.verify()).toMatchObject({ id: token.id, status: "active" });
    const accounts = [];
    for await (const a of cf.accounts.list()) accounts.push(a);
    expect(accounts).toEqual([expect.objectContaining({ id: "local" })]);
    const members = [];
    for await (const m of cf.memberships.list()) members.push(m);
    expect(members).toHaveLength(1);
    expect(await cf.user.get()).toMatchObject({ id: "local" });
    // The page iterators stop on the first empty page: page 2 must be empty, not page 1 again.
    expect(requests("GET", "/accounts")).toBe(2);
  }, 20_000);

  test("create, get, fork, delete and token issue through the generic verbs; results unwrap", async () => {
    const created = await unwrap<Repo>(cf.post(`${base}/repos`, { body: { name: "one", description: "via sdk", default_branch: "dev" } }));
    expect(created).toMatchObject({ name: "one", default_branch: "dev", remote: `${svc.url}/git/${NS}/one.git` });
    const got = await unwrap<Repo>(cf.get(`${base}/repos/one`));
    expect(got).toMatchObject({ id: created.id, read_only: false, status: "ready" });
    const forked = await unwrap<Repo & { objects: number }>(cf.post(`${base}/repos/one/fork`, { body: { name: "two", read_only: true } }));
    expect(forked).toMatchObject({ name: "two", objects: 0 });
    const t = await unwrap<{ id: string; plaintext: string; scope: string }>(cf.post(`${base}/tokens`, { body: { repo: "one", scope: "read", ttl: 3600 } }));
    expect(t.scope).toBe("read");
    expect(await unwrap(cf.delete(`${base}/tokens/${t.id}`))).toEqual({ id: t.id });
    // The raw response keeps the documented statuses.
    const { response } = await cf.delete(`${base}/repos/two`).withResponse();
    expect(response.status).toBe(202);
  });

  test("auto-pagination: repos by cursor (CursorLimitPagination), tokens by page (V4PagePaginationArray)", async () => {
    for (let i = 0; i < 25; i += 5) await Promise.all(Array.from({ length: 5 }, (_, j) => createRepo(svc, "sdk-many", `p${String(i + j).padStart(2, "0")}`)));
    const names: string[] = [];
    for await (const r of cf.getAPIList<Repo, CursorLimitPagination<Repo>>(
      `/accounts/${ACCT}/artifacts/namespaces/sdk-many/repos`,
      CursorLimitPagination<Repo>,
      { query: { limit: 4, sort: "name", direction: "asc" } },
    ))
      names.push(r.name);
    expect(names).toEqual(Array.from({ length: 25 }, (_, i) => `p${String(i).padStart(2, "0")}`));
    expect(requests("GET", `/accounts/${ACCT}/artifacts/namespaces/sdk-many/repos`)).toBe(7);

    for (let i = 0; i < 6; i++) await unwrap(cf.post(`${base}/tokens`, { body: { repo: "one" } }));
    const ids: string[] = [];
    for await (const t of cf.getAPIList<{ id: string; state: string }, V4PagePaginationArray<{ id: string; state: string }>>(
      `${base}/repos/one/tokens`,
      V4PagePaginationArray<{ id: string; state: string }>,
      { query: { per_page: 2, state: "all" } },
    ))
      ids.push(t.id);
    // Initial token, the revoked read token and six more.
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
  });

  test("errors are typed APIErrors with the envelope's codes, and a 409 for a taken name is not retried", async () => {
    const nf = await apiError(cf.get(`${base}/repos/nope`));
    expect(nf).toBeInstanceOf(Cloudflare.NotFoundError);
    expect(nf.status).toBe(404);
    expect(nf.errors).toEqual([{ code: 10200, message: "Repository not found: nope." }]);

    const bad = await apiError(cf.post(`${base}/repos`, { body: { name: "bad name" } }));
    expect(bad).toBeInstanceOf(Cloudflare.BadRequestError);
    expect(bad.errors[0]).toMatchObject({ code: 10101 });
    const ttl = await apiError(cf.post(`${base}/tokens`, { body: { repo: "one", ttl: 5 } }));
    expect(ttl.errors[0]).toMatchObject({ code: 10103 });

    const before = requests("POST", `${base}/repos`);
    const conflict = await apiError(cf.post(`${base}/repos`, { body: { name: "ONE" } }));
    expect(conflict).toBeInstanceOf(Cloudflare.ConflictError);
    expect(conflict.errors[0]).toMatchObject({ code: 10201 });
    // One request: the SDK did not retry (it would, twice, for a 409 without X-Should-Retry: false).
    expect(requests("POST", `${base}/repos`) - before).toBe(1);

    const ro = new Cloudflare({ apiToken: readToken, baseURL: `${svc.url}/client/v4` });
    const denied = await apiError(ro.post(`${base}/repos`, { body: { name: "x" } }));
    expect(denied).toBeInstanceOf(Cloudflare.PermissionDeniedError);
    expect(denied.errors[0]).toMatchObject({ code: 10000 });
    const anon = new Cloudflare({ apiToken: "not-a-token", baseURL: `${svc.url}/client/v4` });
    expect(await apiError(anon.get(`${base}/repos`))).toBeInstanceOf(Cloudflare.AuthenticationError);
  });

  test("read routes: JSON unwraps, bytes come back raw with their content type", async () => {
    const sb = await GitSandbox.create("rest-sdk-");
    try {
      const src = sb.path("src");
      await sb.ok(["init", "-q", "-b", "dev", src]);
      await sb.client(src).commit("hello", { "hello.txt": "hi\n", "page.svg": "<svg onload=alert(1)/>\n" }, 1);
      const t = await unwrap<{ plaintext: string }>(cf.post(`${base}/tokens`, { body: { repo: "one" } }));
      await sb.ok(["-c", `http.extraHeader=Authorization: Bearer ${t.plaintext}`, "push", "-q", `${svc.url}/git/${NS}/one.git`, "dev"], { cwd: src });
    } finally {
      await sb.dispose();
    }
    const log = await unwrap<Array<{ hash: string; message: string; tree_hash: string }>>(cf.get(`${base}/repos/one/log`));
    expect(log.map((c) => c.message)).toEqual(["hello"]);
    const tree = await unwrap<Array<{ name: string; hash: string }>>(cf.get(`${base}/repos/one/tree/${log[0]!.tree_hash}`));
    expect(tree.map((e) => e.name)).toEqual(["hello.txt", "page.svg"]);
    expect(await unwrap(cf.get(`${base}/repos/one/commit/${log[0]!.hash}`))).toMatchObject({ message: "hello", parents: [] });

    const raw = (await cf.get(`${base}/repos/one/raw/dev/page.svg`, { __binaryResponse: true })) as unknown as Response;
    expect(raw.headers.get("content-type")).toBe("text/plain;charset=utf-8");
    expect(raw.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await raw.text()).toBe("<svg onload=alert(1)/>\n");
    const blob = (await cf.get(`${base}/repos/one/blob/${tree[0]!.hash}`, { __binaryResponse: true })) as unknown as Response;
    expect(await blob.text()).toBe("hi\n");
    // Without the binary flag the SDK hands non-JSON bodies back as text.
    expect(await cf.get(`${base}/repos/one/file`, { query: { ref: "dev", path: "hello.txt" } })).toBe("hi\n");
  });
});
