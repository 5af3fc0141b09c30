// Every REST failure is a JSON v4 envelope; credentials are checked before anything else; API
// tokens are scoped (read/write, namespace, client IP) and never work for Git; no secret ever
// appears in a response or a log line.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ADMIN_TOKEN, ACCT, apiToken, call, createRepo, expectFail, expectOk, repoUrl, startRest, type Res, type RestService } from "./support.js";

let svc: RestService;
/** Every secret this file handles, and every response text it received (checked at the end). */
const secrets = new Set<string>([ADMIN_TOKEN]);
const seen: Array<{ what: string; text: string; allowed?: string }> = [];

beforeAll(async () => {
  svc = await startRest();
});
afterAll(() => svc?.close());

/** `call`, remembering the response text for the final secret scan. `reveals` is the one secret this response may show. */
async function req(url: string, init: Parameters<typeof call>[1] = {}, reveals?: string): Promise<Res> {
  const r = await call(url, init);
  seen.push({ what: `${init.method ?? "GET"} ${url}`, text: r.text + JSON.stringify([...r.headers]), ...(reveals ? { allowed: reveals } : {}) });
  return r;
}

async function token(o: Parameters<typeof apiToken>[1]) {
  const t = await apiToken(svc, o);
  secrets.add(t.value);
  return t;
}

/** An API token that is already expired, written through the account's Durable Object (TTLs below 60 s are refused). */
async function expiredApiToken(): Promise<string> {
  const ns = await svc.mf.getDurableObjectNamespace("ACCOUNT", "artifacts");
  const stub = ns.get(ns.idFromName("account")) as unknown as { createApiToken(o: unknown): Promise<{ value: string }> };
  const t = await stub.createApiToken({ name: "old", scopes: ["artifacts:write"], ttlSeconds: -5 });
  const value = await t.value;
  secrets.add(value);
  return value;
}

describe("JSON errors for every failure", () => {
  test("unknown routes are 404 with Cloudflare's 7003/7000 codes, on every base and outside them", async () => {
    for (const p of [
      `${svc.base}/nope`,
      `${svc.base}/namespaces/a/repos/b/c/d`,
      `${svc.url}/client/v4/zones`,
      `${svc.url}/v1/api/other`,
      `${svc.url}/`,
      `${svc.url}/client/v4/accounts/${ACCT}/artifacts`,
    ]) {
      const r = await req(p);
      expectFail(r, 404, 7003);
      expect(r.body.errors[1]).toEqual({ code: 7000, message: "No route for that URI" });
    }
    // Unauthenticated requests to unknown routes are 404 too (no route, so nothing to protect).
    expectFail(await req(`${svc.base}/nope`, { token: null }), 404, 7003);
  });

  test("a wrong method is 405 with code 7001 and an Allow header", async () => {
    const r = await req(repoUrl(svc, "m"), { method: "PUT", body: {} });
    expectFail(r, 405, 7001);
    expect(r.headers.get("allow")).toBe("POST, GET");
    expectFail(await req(repoUrl(svc, "m", "x"), { method: "PATCH", body: {} }), 405, 7001);
    expectFail(await req(`${svc.base}/namespaces/m/tokens`, { method: "GET" }), 405, 7001);
    expectFail(await req(`${svc.url}/client/v4/user/tokens/verify`, { method: "POST" }), 405, 7001);
  });

  test("bodies: malformed or non-object JSON is 400/10100; over 1 MiB is 413, with or without Content-Length", async () => {
    for (const body of ["{", "[1,2]", '"str"', "null", "12", '{"name": }']) expectFail(await req(repoUrl(svc, "b"), { method: "POST", body }), 400, 10100);
    const big = JSON.stringify({ name: "big", description: "x".repeat(1024 * 1024) });
    expectFail(await req(repoUrl(svc, "b"), { method: "POST", body: big }), 413, 10100);
    // Streamed (chunked) with no Content-Length: the cap still holds.
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 40) c.enqueue(chunk);
        else c.close();
      },
    });
    const res = await fetch(repoUrl(svc, "b"), {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, "Content-Type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { errors: Array<{ code: number }> }).errors[0]!.code).toBe(10100);
    expectFail(await req(repoUrl(svc, "b", "big")), 404, 10200);
  });

  test("credentials: missing, malformed, unknown, expired, revoked and repo tokens are all 401/10000 JSON", async () => {
    const url = repoUrl(svc, "cred");
    expectFail(await req(url, { token: null }), 401, 10000);
    expectFail(await req(url, { token: null, headers: { Authorization: `Basic ${btoa(`x:${ADMIN_TOKEN}`)}` } }), 401, 10000);
    expectFail(await req(url, { token: null, headers: { Authorization: "Bearer" } }), 401, 10000);
    const bogus = "cfat_" + "0".repeat(35);
    secrets.add(bogus);
    expect(expectFail(await req(url, { token: bogus }), 401, 10000).message).toMatch(/invalid/);
    expect(expectFail(await req(url, { token: await expiredApiToken() }), 401, 10000).message).toMatch(/expired/);
    const t = await token({ scopes: ["artifacts:read"] });
    expectOk(await req(url, { token: t.value }));
    expectOk(await req(url, { token: null, headers: { Authorization: `bearer ${t.value}` } }));
    expect(expectOk(await req(`${svc.base}/api-tokens/${t.id}`, { method: "DELETE" }))).toEqual({ id: t.id });
    expect(expectFail(await req(url, { token: t.value }), 401, 10000).message).toMatch(/revoked/);
    expectFail(await req(`${svc.base}/api-tokens/${t.id}`, { method: "DELETE" }), 404, 10200);
    // A repo token is for Git only.
    const repo = await createRepo(svc, "cred", "r");
    secrets.add(repo.token);
    expect(expectFail(await req(url, { token: repo.token }), 401, 10000).message).toMatch(/Git/);
    expectFail(await req(url, { token: repo.token.split("?")[0]! }), 401, 10000);
    // Authentication comes before validation: nothing about the request is revealed to a stranger.
    expectFail(await req(url, { method: "POST", token: null, body: "{" }), 401, 10000);
    expectFail(await req(repoUrl(svc, "cred", "-bad"), { token: null }), 401, 10000);
    expectFail(await req(`${svc.url}/v1/api/namespaces/cred/repos`, { token: null }), 401, 10000);
  });

  test("client IP allow-lists use CF-Connecting-IP: 403 with code 9109 outside the list", async () => {
    const url = repoUrl(svc, "ip");
    const t = await token({ scopes: ["artifacts:read"], allow_ips: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"] });
    for (const ip of ["203.0.113.9", "198.51.100.7", "2001:db8::1", "::ffff:203.0.113.200"])
      expectOk(await req(url, { token: t.value, headers: { "CF-Connecting-IP": ip } }));
    for (const ip of ["203.0.114.1", "198.51.100.8", "2001:db9::1", "127.0.0.1", "garbage"]) {
      const e = expectFail(await req(url, { token: t.value, headers: { "CF-Connecting-IP": ip } }), 403, 9109);
      expect(e.message).toBe(`Cannot use the access token from location: ${ip}`);
    }
    // X-Forwarded-For is set by clients, so it never satisfies an allow-list.
    expectFail(await req(url, { token: t.value, headers: { "CF-Connecting-IP": "127.0.0.1", "X-Forwarded-For": "203.0.113.9" } }), 403, 9109);
    for (const bad of [["10.0.0.0/33"], ["nope"], "10.0.0.1"])
      expectFail(await req(`${svc.base}/api-tokens`, { method: "POST", body: { scopes: ["artifacts:read"], allow_ips: bad } }), 400, 10100);
  });

  test("a different account id in the path is refused when ACCOUNT_ID is configured", async () => {
    const other = await startRest({ vars: { ACCOUNT_ID: ACCT } });
    try {
      expectOk(await call(`${other.url}/client/v4/accounts/${ACCT}/artifacts/namespaces`));
      expectFail(await call(`${other.url}/client/v4/accounts/ffffffffffffffffffffffffffffffff/artifacts/namespaces`), 403, 10000);
      expectFail(await call(`${other.url}/client/v4/accounts/ffffffffffffffffffffffffffffffff/artifacts/namespaces`, { token: null }), 401, 10000);
      expect(expectOk<Array<{ id: string }>>(await call(`${other.url}/client/v4/accounts`))[0]!.id).toBe(ACCT);
    } finally {
      await other.close();
    }
  });
});

describe("API token scopes over REST", () => {
  test("read scope reads and never mutates; write scope does both; neither manages API tokens", async () => {
    const read = await token({ scopes: ["artifacts:read"] });
    const write = await token({ scopes: ["artifacts:write"] });
    const ns = "scoped";
    expectOk(await req(repoUrl(svc, ns), { method: "POST", token: write.value, body: { name: "w" } }, "art_v1_"), 201);
    expectOk(await req(repoUrl(svc, ns, "w"), { token: read.value }));
    expectOk(await req(repoUrl(svc, ns), { token: read.value }));
    expectOk(await req(`${repoUrl(svc, ns, "w")}/tokens`, { token: read.value }));
    expectOk(await req(`${repoUrl(svc, ns, "w")}/log`, { token: read.value }));
    expectOk(await req(`${svc.base}/namespaces/${ns}`, { token: read.value }));
    const refusals: Array<[string, string, unknown]> = [
      ["POST", repoUrl(svc, ns), { name: "r" }],
      ["DELETE", repoUrl(svc, ns, "w"), undefined],
      ["POST", `${repoUrl(svc, ns, "w")}/fork`, { name: "f" }],
      ["POST", `${repoUrl(svc, ns, "i")}/import`, { url: "https://example.com/x.git" }],
      ["POST", `${svc.base}/namespaces/${ns}/tokens`, { repo: "w" }],
      ["DELETE", `${svc.base}/namespaces/${ns}/tokens/0123456789abcdef`, undefined],
      ["POST", `${svc.base}/namespaces`, { namespace: "new-ns" }],
    ];
    for (const [method, url, body] of refusals) {
      const e = expectFail(await req(url, { method, token: read.value, ...(body ? { body } : {}) }), 403, 10000);
      expect(e.message).toMatch(/artifacts:write/);
    }
    // Refused before the body is even parsed.
    expectFail(await req(repoUrl(svc, ns), { method: "POST", token: read.value, body: "{" }), 403, 10000);
    expectOk(await req(repoUrl(svc, ns, "w"), { token: read.value }));
    for (const t of [read, write]) {
      expectFail(await req(`${svc.base}/api-tokens`, { token: t.value }), 403, 10000);
      expectFail(await req(`${svc.base}/api-tokens`, { method: "POST", token: t.value, body: { scopes: ["artifacts:write"] } }), 403, 10000);
    }
  });

  test("a namespace-limited token sees and touches only its namespace", async () => {
    await createRepo(svc, "team-a", "a1");
    await createRepo(svc, "team-b", "b1");
    const t = await token({ scopes: ["artifacts:write"], namespace: "team-a" });
    expectOk(await req(repoUrl(svc, "team-a", "a1"), { token: t.value }));
    expectOk(await req(repoUrl(svc, "team-a"), { method: "POST", token: t.value, body: { name: "a2" } }, "art_v1_"), 201);
    for (const [method, url] of [
      ["GET", repoUrl(svc, "team-b", "b1")],
      ["GET", repoUrl(svc, "team-b", "does-not-exist")],
      ["GET", repoUrl(svc, "team-b")],
      ["GET", `${svc.base}/namespaces/team-b`],
      ["DELETE", repoUrl(svc, "team-b", "b1")],
      ["GET", `${repoUrl(svc, "team-b", "b1")}/log`],
      ["GET", `${svc.url}/v1/api/namespaces/team-b/repos`],
    ] as const) {
      // The same 403 whether or not the repo exists: nothing leaks about other namespaces.
      expect(expectFail(await req(url, { method, token: t.value }), 403, 10000).message).toMatch(/namespace/);
    }
    expectFail(await req(repoUrl(svc, "team-b"), { method: "POST", token: t.value, body: { name: "x" } }), 403, 10000);
    expectFail(await req(`${svc.base}/namespaces`, { method: "POST", token: t.value, body: { namespace: "team-c" } }), 403, 10000);
    const list = await req(`${svc.base}/namespaces`, { token: t.value });
    expect(expectOk<Array<{ namespace: string }>>(list).map((n) => n.namespace)).toEqual(["team-a"]);
    expect(list.body.result_info).toMatchObject({ count: 1, total_count: 1, cursor: "" });
    expectOk(await req(repoUrl(svc, "team-b", "b1")));
  });

  test("API tokens and the admin token never work for Git: 401 with the Basic challenge", async () => {
    const repo = await createRepo(svc, "gitauth", "g");
    secrets.add(repo.token);
    const t = await token({ scopes: ["artifacts:write"] });
    for (const cred of [t.value, ADMIN_TOKEN]) {
      for (const auth of [`Bearer ${cred}`, `Basic ${btoa(`x:${cred}`)}`]) {
        const r = await fetch(`${repo.remote}/info/refs?service=git-upload-pack`, { headers: { Authorization: auth } });
        expect(r.status).toBe(401);
        expect(r.headers.get("www-authenticate")).toBe('Basic realm="Artifacts"');
        const body = await r.text();
        expect(body).not.toContain(cred);
      }
    }
    const ok = await fetch(`${repo.remote}/info/refs?service=git-upload-pack`, { headers: { Authorization: `Bearer ${repo.token}` } });
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });

  test("the admin-only API token routes: snake_case, the value shown once, never listed", async () => {
    const made = await req(
      `${svc.base}/api-tokens`,
      { method: "POST", body: { name: "ci", scopes: ["artifacts:read", "artifacts:write"], namespace: "team-a", ttl: 3600, allow_ips: ["10.0.0.0/8"] } },
      "cfat_",
    );
    const t = expectOk<Record<string, unknown>>(made, 201);
    secrets.add(t.value as string);
    expect(Object.keys(t).sort()).toEqual(["allow_ips", "created_at", "expires_at", "id", "last_used_at", "name", "namespace", "scopes", "status", "value"]);
    expect(t).toMatchObject({
      name: "ci",
      scopes: ["artifacts:read", "artifacts:write"],
      namespace: "team-a",
      allow_ips: ["10.0.0.0/8"],
      status: "active",
      last_used_at: null,
    });
    expect(t.value).toMatch(/^cfat_[0-9a-f]{35}$/);
    const list = await req(`${svc.base}/api-tokens`);
    const listed = expectOk<Array<Record<string, unknown>>>(list);
    expect(listed.find((x) => x.id === t.id)).toMatchObject({ name: "ci", status: "active" });
    for (const x of listed) expect(x).not.toHaveProperty("value");
    for (const s of secrets) expect(list.text).not.toContain(s);
    for (const body of [{ scopes: [] }, { scopes: ["admin"] }, { scopes: ["artifacts:read"], ttl: 10 }, { scopes: ["artifacts:read"], namespace: "bad name" }])
      expectFail(await req(`${svc.base}/api-tokens`, { method: "POST", body }), 400, 10100);
  });
});

describe("the account routes wrangler and the SDK call", () => {
  test("token verify, accounts, memberships and user answer in Cloudflare's shapes", async () => {
    const t = await token({ scopes: ["artifacts:read"] });
    const v = await req(`${svc.url}/client/v4/user/tokens/verify`, { token: t.value });
    expect(v.status).toBe(200);
    expect(v.body).toMatchObject({ success: true, errors: [], result: { id: t.id, status: "active" } });
    expect(v.body.messages).toEqual([{ code: 10000, message: "This API Token is valid and active", type: null }]);
    expectOk(await req(`${svc.url}/client/v4/accounts/${ACCT}/tokens/verify`, { token: t.value }).then((r) => ({ ...r, body: { ...r.body, messages: [] } })));
    for (const bad of [null, "nope"]) expectFail(await req(`${svc.url}/client/v4/user/tokens/verify`, { token: bad }), 401, 1000);

    const accounts = await req(`${svc.url}/client/v4/accounts`, { token: t.value });
    expect(expectOk<Array<{ id: string; name: string }>>(accounts)[0]).toMatchObject({ id: "local", name: expect.any(String) });
    expect(accounts.body.result_info).toMatchObject({ page: 1, total_count: 1 });
    expect(expectOk<Array<{ account: { id: string } }>>(await req(`${svc.url}/client/v4/memberships`, { token: t.value }))[0]!.account.id).toBe("local");
    expect(expectOk<{ id: string }>(await req(`${svc.url}/client/v4/user`, { token: t.value })).id).toBe("local");
    expectFail(await req(`${svc.url}/client/v4/accounts`, { token: null }), 401, 10000);
    expectFail(await req(`${svc.url}/client/v4/memberships`, { token: "nope" }), 401, 10000);
  });
});

describe("secrets", () => {
  test("no response (other than the one that issues it) and no log line ever contains a secret", async () => {
    // A few more requests that carry secrets in the places they could leak from: paths, queries, bodies.
    const repo = await createRepo(svc, "leak", "l");
    secrets.add(repo.token);
    const secret = repo.token.split("?")[0]!;
    await req(`${svc.base}/namespaces/leak/tokens/${encodeURIComponent(repo.token)}`, { method: "DELETE" });
    await req(`${svc.base}/namespaces/leak/nothing/${secret}`);
    await req(`${svc.base}/namespaces/leak/tokens`, { method: "POST", body: { repo: "l", ttl: repo.token } });
    await req(`${svc.base}/namespaces/leak/tokens`, { method: "POST", body: { repo: repo.token } });
    await fetch(`${repo.remote}/info/refs?service=git-receive-pack`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.text());
    await fetch(`${svc.url}/git/leak/l.git/info/refs?service=git-upload-pack`, {
      headers: { Authorization: `Basic ${btoa(`x:${secret.replace(/.$/, "0")}`)}` },
    }).then((r) => r.text());

    expect(seen.length).toBeGreaterThan(60);
    for (const r of seen) {
      for (const s of secrets) {
        const bare = s.split("?")[0]!;
        if (r.allowed && s.startsWith(r.allowed)) continue;
        // Echoing a value the caller sent in its own query or body is still not allowed.
        if (r.text.includes(bare)) throw new Error(`${r.what} revealed a secret: ${r.text.slice(0, 300)}`);
      }
    }
    // Miniflare logs one line per request (method, path, status) and the Worker's console output. Credentials
    // travel in headers, so no line may hold one, except Miniflare's echo of the two paths this test put one in.
    const lines = svc.logs.filter((l) => !/\/tokens\/art_v1_|\/nothing\/art_v1_/.test(l));
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.join("\n")).toMatch(/GET \/client\/v4\/accounts\//);
    for (const s of secrets) {
      const bare = s.split("?")[0]!;
      for (const line of lines) if (line.includes(bare)) throw new Error(`log line reveals a secret: ${line}`);
    }
  });
});
