// The authorization matrix (issue 14): every REST route and every Git service, against no
// credential, a wrong one, an expired one, a revoked one, a read-only one, one for another repo,
// one for another namespace and one from an excluded address, with the status each must get.
// Refusals come before validation (docs/contract-choices.md, order of checks), so the bodies sent
// are malformed on purpose: a caller that may not act must never learn that its body was bad.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ADMIN_TOKEN, apiToken, call, createRepo, expectOk, startRest, type RestService } from "../rest/support.js";

let svc: RestService;
beforeAll(async () => {
  svc = await startRest();
});
afterAll(async () => {
  await svc?.close();
});

type Kind = "read" | "write" | "operator" | "nslist";
interface RestRoute {
  method: string;
  path: string;
  kind: Kind;
  /** What an unrestricted write token gets (the body or the path is malformed, or the target absent). */
  allowed: number;
  body?: string;
}

const NS = "matrix";
const H = "a".repeat(40);
const ROUTES: RestRoute[] = [
  { method: "GET", path: "/namespaces", kind: "nslist", allowed: 200 },
  { method: "POST", path: "/namespaces", kind: "write", allowed: 400, body: "{" },
  { method: "GET", path: `/namespaces/${NS}`, kind: "read", allowed: 200 },
  { method: "GET", path: `/namespaces/${NS}/repos`, kind: "read", allowed: 200 },
  { method: "POST", path: `/namespaces/${NS}/repos`, kind: "write", allowed: 400, body: "{" },
  { method: "GET", path: `/namespaces/${NS}/repos/r`, kind: "read", allowed: 200 },
  { method: "DELETE", path: `/namespaces/${NS}/repos/ghost`, kind: "write", allowed: 404 },
  { method: "POST", path: `/namespaces/${NS}/repos/r/fork`, kind: "write", allowed: 400, body: "{" },
  { method: "POST", path: `/namespaces/${NS}/repos/new/import`, kind: "write", allowed: 400, body: "{" },
  { method: "GET", path: `/namespaces/${NS}/repos/r/tokens`, kind: "read", allowed: 200 },
  { method: "POST", path: `/namespaces/${NS}/tokens`, kind: "write", allowed: 400, body: "{" },
  { method: "DELETE", path: `/namespaces/${NS}/tokens/not-an-id!`, kind: "write", allowed: 400 },
  { method: "GET", path: `/namespaces/${NS}/repos/r/blob/${H}`, kind: "read", allowed: 404 },
  { method: "GET", path: `/namespaces/${NS}/repos/r/tree/${H}`, kind: "read", allowed: 404 },
  { method: "GET", path: `/namespaces/${NS}/repos/r/commit/${H}`, kind: "read", allowed: 404 },
  { method: "GET", path: `/namespaces/${NS}/repos/r/file?path=x`, kind: "read", allowed: 404 },
  { method: "GET", path: `/namespaces/${NS}/repos/r/raw/main/x`, kind: "read", allowed: 404 },
  { method: "GET", path: `/namespaces/${NS}/repos/r/log`, kind: "read", allowed: 200 },
  { method: "GET", path: `/namespaces/${NS}/repos/r/refs`, kind: "read", allowed: 200 },
  { method: "GET", path: `/namespaces/${NS}/repos/r/stats`, kind: "read", allowed: 200 },
  { method: "GET", path: `/namespaces/${NS}/audit`, kind: "read", allowed: 200 },
  { method: "GET", path: `/namespaces/${NS}/events`, kind: "read", allowed: 200 },
  { method: "GET", path: "/api-tokens", kind: "operator", allowed: 200 },
  { method: "POST", path: "/api-tokens", kind: "operator", allowed: 400, body: "{" },
  { method: "DELETE", path: "/api-tokens/nope", kind: "operator", allowed: 404 },
  // A malformed namespace in the path is refused as unauthorized first, too.
  { method: "POST", path: "/namespaces/BAD%20NS!/repos", kind: "write", allowed: 400, body: "{" },
];

type RestCred = "none" | "wrong" | "expired" | "revoked" | "read-only" | "other-namespace" | "ip-excluded" | "repo-token" | "write" | "operator";

/** The expected status of `route` for a credential. */
function restExpected(cred: RestCred, r: RestRoute): number {
  if (cred === "operator") return r.allowed;
  if (cred === "none" || cred === "wrong" || cred === "expired" || cred === "revoked" || cred === "repo-token") return 401;
  if (cred === "ip-excluded") return 403;
  if (r.kind === "operator") return 403;
  if (cred === "other-namespace") return r.kind === "nslist" ? 200 : r.kind === "write" && r.path === "/namespaces" ? 400 : 403;
  if (cred === "read-only") return r.kind === "write" ? 403 : r.allowed;
  return r.allowed;
}

type GitCred = "none" | "wrong" | "expired" | "revoked" | "read-only" | "other-repo" | "other-namespace" | "api-token" | "ip-excluded" | "write" | "operator";
const GIT = [
  { service: "git-upload-pack", post: false },
  { service: "git-upload-pack", post: true },
  { service: "git-receive-pack", post: false },
  { service: "git-receive-pack", post: true },
] as const;

function gitExpected(cred: GitCred, push: boolean): number {
  if (cred === "write") return 200;
  if (cred === "read-only") return push ? 403 : 200;
  // A known token of this repo that is expired or revoked is 403 naming why (docs/contract-choices.md).
  if (cred === "expired" || cred === "revoked") return 403;
  return 401;
}

describe("authorization matrix", () => {
  test("every REST route and Git service answers each kind of credential as the policy says", async () => {
    const started = Date.now();
    const target = await createRepo(svc, NS, "r");
    const other = await createRepo(svc, NS, "r2");
    const elsewhere = await createRepo(svc, "matrix-other", "r");
    const expiringApi = await apiToken(svc, { scopes: ["artifacts:write"], ttl: 60 });
    const expiringRepo = expectOk<{ plaintext: string }>(
      await call(`${svc.base}/namespaces/${NS}/tokens`, { method: "POST", body: { repo: "r", scope: "write", ttl: 60 } }),
      201,
    ).plaintext;
    const revokedApi = await apiToken(svc, { scopes: ["artifacts:write"] });
    expectOk(await call(`${svc.base}/api-tokens/${revokedApi.id}`, { method: "DELETE" }));
    const revokedRepo = expectOk<{ id: string; plaintext: string }>(
      await call(`${svc.base}/namespaces/${NS}/tokens`, { method: "POST", body: { repo: "r", scope: "write" } }),
      201,
    );
    expectOk(await call(`${svc.base}/namespaces/${NS}/tokens/${revokedRepo.id}`, { method: "DELETE" }));
    const readRepo = expectOk<{ plaintext: string }>(
      await call(`${svc.base}/namespaces/${NS}/tokens`, { method: "POST", body: { repo: "r", scope: "read" } }),
      201,
    ).plaintext;

    const rest: Record<Exclude<RestCred, "expired">, string | null> = {
      none: null,
      wrong: `cfat_${"0".repeat(35)}`,
      revoked: revokedApi.value,
      "read-only": (await apiToken(svc, { scopes: ["artifacts:read"] })).value,
      "other-namespace": (await apiToken(svc, { scopes: ["artifacts:write"], namespace: "matrix-other" })).value,
      "ip-excluded": (await apiToken(svc, { scopes: ["artifacts:write"], allow_ips: ["203.0.113.0/24"] })).value,
      "repo-token": target.token,
      write: (await apiToken(svc, { scopes: ["artifacts:write"] })).value,
      operator: ADMIN_TOKEN,
    };
    const git: Record<Exclude<GitCred, "expired">, string | null> = {
      none: null,
      wrong: `art_v1_${"0".repeat(40)}`,
      revoked: revokedRepo.plaintext,
      "read-only": readRepo,
      "other-repo": other.token,
      "other-namespace": elsewhere.token,
      "api-token": rest.write,
      "ip-excluded": rest["ip-excluded"],
      write: target.token,
      operator: ADMIN_TOKEN,
    };

    const failures: string[] = [];
    const checkRest = async (cred: RestCred, token: string | null) => {
      for (const r of ROUTES) {
        const res = await fetch(`${svc.base}${r.path}`, {
          method: r.method,
          headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(r.body ? { "Content-Type": "application/json" } : {}) },
          ...(r.body ? { body: r.body } : {}),
        });
        await res.arrayBuffer();
        const want = restExpected(cred, r);
        if (res.status !== want) failures.push(`REST ${cred} ${r.method} ${r.path}: ${res.status}, expected ${want}`);
      }
    };
    const checkGit = async (cred: GitCred, token: string | null) => {
      for (const g of GIT) {
        const url = g.post ? `${svc.url}/git/${NS}/r.git/${g.service}` : `${svc.url}/git/${NS}/r.git/info/refs?service=${g.service}`;
        const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
        if (g.post) headers["Content-Type"] = `application/x-${g.service}-request`;
        const res = await fetch(url, { method: g.post ? "POST" : "GET", headers, ...(g.post ? { body: "0000" } : {}) });
        await res.arrayBuffer();
        const want = gitExpected(cred, g.service === "git-receive-pack");
        if (res.status !== want) failures.push(`Git ${cred} ${g.post ? "POST" : "GET info/refs"} ${g.service}: ${res.status}, expected ${want}`);
      }
    };
    for (const [cred, token] of Object.entries(rest)) await checkRest(cred as RestCred, token);
    for (const [cred, token] of Object.entries(git)) await checkGit(cred as GitCred, token);

    // Expiry is decided by the server's clock (60 s is the shortest TTL): wait it out, then check.
    const wait = started + 62_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await checkRest("expired", expiringApi.value);
    await checkGit("expired", expiringRepo);
    expect(failures).toEqual([]);
  });
});
