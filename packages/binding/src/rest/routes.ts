/**
 * REST control plane (docs/contract.md "REST routes") under /client/v4/accounts/:account_id/artifacts (the form
 * wrangler and Cloudflare's SDK build) and /v1/api (the older documented base). Handlers only
 * parse, call the service (which authorizes), and shape snake_case results.
 */
import type { Env } from "../env.js";
import { ArtifactsError, denied, invalidInput, Refused } from "../errors.js";
import { apiRateCheck, NamespaceService } from "../service.js";
import { authorize, principalLabel, type Action, type Decision, type Principal } from "../auth/policy.js";
import { checkApiTokenScopes, checkApiTokenTtl, checkHash, checkNamespaceName, checkRepoName } from "../validate.js";
import { contentTypeFor } from "../repo/mime.js";
import { restPrincipal } from "../auth/principals.js";
import { CF, fail, ok, toEnvelope } from "./envelope.js";
import { readJsonObject } from "./body.js";
import { createResult, pageInfo, restApiToken, restCommit, restInfo } from "./shapes.js";
import type { SortKey } from "../namespace/namespace-object.js";
import { isValidCidr } from "../auth/cidr.js";
import type { ApiScope } from "../auth/account-object.js";
import { rateVar } from "../limits.js";
import type { RequestInfo } from "../util/log.js";
import { AccountService } from "../account-service.js";

type Ctx = { env: Env; req: Request; url: URL; principal: Principal; origin: string; params: Record<string, string> };
type Handler = (c: Ctx) => Promise<Response>;

interface Route {
  method: string;
  /** The template, for logs ("/namespaces/:ns/repos/:name"). */
  path: string;
  pattern: RegExp;
  keys: string[];
  /** The policy action checked (against the path's namespace) before the handler runs. */
  action: Action | null;
  handler: Handler;
}

const routes: Route[] = [];
function route(method: string, path: string, action: Action | null, handler: Handler) {
  const keys: string[] = [];
  const src = path.replace(/:(\w+)(\+)?/g, (_m, k: string, plus: string) => {
    keys.push(k);
    return plus ? "(.+)" : "([^/]+)";
  });
  routes.push({ method, path, pattern: new RegExp(`^${src}$`), keys, action, handler });
}

const json = (c: Ctx) => readJsonObject(c.req);

const svc = (c: Ctx) => new NamespaceService(c.env, checkNamespaceName(c.params.ns), c.principal, c.origin);
/** Query integers: digits only ("1e2", "0x10" and "" are not numbers here). */
const intParam = (v: string | null, name: string, def: number, min: number, max: number) => {
  if (v === null || v === "") return def;
  const n = /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalidInput(`Invalid ${name}: must be an integer between ${min} and ${max}.`);
  return n;
};
const nameParam = (c: Ctx) => checkRepoName(c.params.name);
const account = (c: Ctx) => new AccountService(c.env);
const deny = (d: Decision) => {
  if (!d.allow) throw denied(d);
};

// ── namespaces (account level) ────────────────────────────────────────────────
// Wrangler pages these with ?page=N and stops when page * per_page >= total_count; the SDK and
// other clients follow result_info.cursor. Both work (docs/contract-choices.md).
route("GET", "/namespaces", "namespace.list", async (c) => {
  const q = c.url.searchParams;
  const limit = intParam(q.get("limit") ?? q.get("per_page"), "limit", 100, 1, 200);
  const cursor = q.get("cursor") || undefined;
  const page = intParam(q.get("page"), "page", 1, 1, 1_000_000);
  const p = c.principal;
  if (p.kind === "api-token" && p.namespace !== null) {
    // A namespace-limited token sees its own namespace and nothing else.
    const only = await account(c).getNamespace(p.namespace);
    const visible = only && page === 1 && !cursor ? [only] : [];
    return ok(visible, 200, { cursor: "", ...pageInfo(page, limit, visible.length, only ? 1 : 0) });
  }
  const after = cursor ? safeAtob(cursor) : undefined;
  const r = await account(c).listNamespaces(limit, after !== undefined ? { after } : cursor ? {} : { offset: (page - 1) * limit });
  const last = r.namespaces[r.namespaces.length - 1];
  const next = r.more && last ? btoa(last.namespace) : "";
  return ok(
    r.namespaces,
    200,
    cursor
      ? { cursor: next, per_page: limit, count: r.namespaces.length, total_count: r.total }
      : { cursor: next, ...pageInfo(page, limit, r.namespaces.length, r.total) },
  );
});
route("POST", "/namespaces", null, async (c) => {
  // Authorization before validation (docs/contract-choices.md): a caller that may create no
  // namespace at all is refused before its body is read; the name itself is checked after.
  const own = c.principal.kind === "api-token" && c.principal.namespace !== null ? c.principal.namespace : undefined;
  deny(authorize(c.principal, "namespace.create", own !== undefined ? { namespace: own } : {}));
  const body = await json(c);
  const name = checkNamespaceName(body.namespace);
  deny(authorize(c.principal, "namespace.create", { namespace: name }));
  const j = body.jurisdiction === undefined || body.jurisdiction === null ? "unrestricted" : body.jurisdiction;
  if (j !== "unrestricted" && j !== "eu" && j !== "us" && j !== "fedramp") throw invalidInput("Invalid jurisdiction: must be eu, us or fedramp.");
  if (!(await account(c).createNamespace(name, j))) throw new ArtifactsError("ALREADY_EXISTS", `namespace already exists: ${name}`);
  return ok(await account(c).getNamespace(name), 201);
});
route("GET", "/namespaces/:ns", "namespace.read", async (c) => {
  const s = svc(c);
  // The namespace object holds the live count; the account's copy may trail it by one push.
  const [info, live] = await Promise.all([s.account().getNamespace(s.namespace), s.summary()]);
  if (!info && !live.namespace) throw new ArtifactsError("NOT_FOUND", `Namespace not found: ${s.namespace}.`);
  const base = info ?? {
    namespace: s.namespace,
    repo_count: 0,
    created_at: live.createdAt ?? new Date().toISOString(),
    updated_at: live.updatedAt ?? new Date().toISOString(),
    jurisdiction: "unrestricted",
  };
  return ok({
    ...base,
    repo_count: live.namespace ? live.repoCount : base.repo_count,
    ...(live.updatedAt && live.updatedAt > base.updated_at ? { updated_at: live.updatedAt } : {}),
  });
});

// ── repos ─────────────────────────────────────────────────────────────────────

route("POST", "/namespaces/:ns/repos", "repo.create", async (c) => {
  const body = await json(c);
  const r = await svc(c).create(body.name, {
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.read_only !== undefined ? { readOnly: body.read_only } : {}),
    ...(body.default_branch !== undefined ? { setDefaultBranch: body.default_branch } : {}),
  });
  return ok(createResult(r), 201);
});

const SORTS: readonly SortKey[] = ["created_at", "updated_at", "last_push_at", "name"];
type ListFilters = { search?: string; sort: SortKey; direction: "asc" | "desc" };

/** Page N (1-based) of the listing: one registry call that skips (N-1)*limit entries in SQLite. */
function repoPage(s: NamespaceService, page: number, limit: number, f: ListFilters) {
  return s.list({ limit }, { ...f, offset: (page - 1) * limit });
}

route("GET", "/namespaces/:ns/repos", "repo.list", async (c) => {
  const q = c.url.searchParams;
  const limit = intParam(q.get("limit") ?? q.get("per_page"), "limit", 50, 1, 200);
  const sort = (q.get("sort") || "created_at") as SortKey;
  if (!SORTS.includes(sort)) throw invalidInput("Invalid sort: must be created_at, updated_at, last_push_at or name.");
  const direction = (q.get("direction") || "desc").toLowerCase();
  if (direction !== "asc" && direction !== "desc") throw invalidInput("Invalid direction: must be asc or desc.");
  const search = q.get("search") || undefined;
  const f: ListFilters = { ...(search ? { search } : {}), sort, direction };
  const s = svc(c);
  const cursor = q.get("cursor") || undefined;
  const page = intParam(q.get("page"), "page", 1, 1, 1_000_000);
  const r = cursor ? await s.list({ limit, cursor }, f) : await repoPage(s, page, limit, f);
  const result = r.repos.map((m) => ({ ...restInfo(m), remote: s.remote(m.name) }));
  const next = "cursor" in r && r.cursor ? r.cursor : "";
  return ok(
    result,
    200,
    cursor ? { cursor: next, per_page: limit, count: result.length, total_count: r.total } : { cursor: next, ...pageInfo(page, limit, result.length, r.total) },
  );
});
route("GET", "/namespaces/:ns/repos/:name", "repo.read", async (c) => {
  const s = svc(c);
  const rec = await s.record(nameParam(c));
  const m = await s.info(rec.id, rec.name);
  return ok({ ...restInfo(m), remote: m.remote });
});
route("DELETE", "/namespaces/:ns/repos/:name", "repo.delete", async (c) => {
  const s = svc(c);
  const name = nameParam(c);
  const r = await s.delete(name);
  if (!r.deleted) throw new ArtifactsError("NOT_FOUND", `Repository not found: ${name}.`);
  return ok({ id: r.id }, 202);
});
route("POST", "/namespaces/:ns/repos/:name/fork", "repo.fork", async (c) => {
  const s = svc(c);
  const source = nameParam(c);
  const body = await json(c);
  const r = await s.fork(source, body.name, {
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.read_only !== undefined ? { readOnly: body.read_only } : {}),
    ...(body.default_branch_only !== undefined ? { defaultBranchOnly: body.default_branch_only } : {}),
  });
  return ok({ ...createResult(r), objects: r.objects }, 201);
});
route("POST", "/namespaces/:ns/repos/:name/import", "repo.import", async (c) => {
  const body = await json(c);
  const r = await svc(c).import({
    source: { url: body.url, ...(body.branch !== undefined ? { branch: body.branch } : {}), ...(body.depth !== undefined ? { depth: body.depth } : {}) },
    target: {
      name: c.params.name,
      opts: {
        ...(body.read_only !== undefined ? { readOnly: body.read_only } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
      },
    },
  });
  return ok(createResult(r), 201);
});

// ── tokens ────────────────────────────────────────────────────────────────────
route("GET", "/namespaces/:ns/repos/:name/tokens", "token.list", async (c) => {
  const q = c.url.searchParams;
  const state = (q.get("state") || "active") as "active" | "expired" | "revoked" | "all";
  if (!["active", "expired", "revoked", "all"].includes(state)) throw invalidInput("Invalid state: must be active, expired, revoked or all.");
  const perPage = intParam(q.get("per_page"), "per_page", 30, 1, 100);
  const page = intParam(q.get("page"), "page", 1, 1, 1_000_000);
  const s = svc(c);
  const rec = await s.record(nameParam(c));
  const r = await s.reads(rec.id).listTokensPage(state, page, perPage);
  return ok(
    r.tokens.map((t) => ({ id: t.id, scope: t.scope, state: t.state, created_at: t.createdAt, expires_at: t.expiresAt })),
    200,
    pageInfo(page, perPage, r.tokens.length, r.total),
  );
});
route("POST", "/namespaces/:ns/tokens", "token.create", async (c) => {
  const body = await json(c);
  if (typeof body.repo !== "string") throw invalidInput("Invalid repo: repo is required.");
  // The binding's message quotes the TTL it got; a non-number is never quoted back (it could be anything, a token included).
  if (body.ttl !== undefined && body.ttl !== null && typeof body.ttl !== "number")
    throw new ArtifactsError("INVALID_TTL", "Invalid TTL: must be a number of seconds between 60 and 31536000.");
  const s = svc(c);
  const rec = await s.record(checkRepoName(body.repo));
  const t = await s.createToken(rec.id, rec.name, body.scope, body.ttl);
  return ok({ id: t.id, plaintext: t.plaintext, scope: t.scope, expires_at: t.expiresAt }, 201);
});
route("DELETE", "/namespaces/:ns/tokens/:id", "token.revoke", async (c) => {
  const id = c.params.id!;
  if (!/^[0-9a-z]{16}$/.test(id)) throw invalidInput("Invalid token id: must be 16 characters of [0-9a-z].");
  const s = svc(c);
  const repoId = await s.tokenRepo(id);
  if (!repoId) throw new ArtifactsError("NOT_FOUND", `Token not found: ${id}.`);
  const meta = await s.reads(repoId).info();
  // Only active tokens can be revoked; an expired or already revoked one is "not found" here (docs/contract-choices.md).
  if (!meta || !(await s.revokeToken(repoId, meta.name, id))) throw new ArtifactsError("NOT_FOUND", `Token not found: ${id}.`);
  return ok({ id });
});

// ── reads ─────────────────────────────────────────────────────────────────────
async function repoFor(c: Ctx) {
  const s = svc(c);
  const rec = await s.record(nameParam(c));
  return { s, stub: s.reads(rec.id), rec };
}
const FOREVER = { "Cache-Control": "public, max-age=31536000, immutable" };
/** Bytes from a repository are never rendered or sniffed by a browser (docs/contract.md "Repo handle" content type). */
const SAFE = { "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox", "Content-Disposition": "inline" };

route("GET", "/namespaces/:ns/repos/:name/blob/:hash", "content.read", async (c) => {
  const { stub } = await repoFor(c);
  const b = await stub.readBlob(checkHash(c.params.hash));
  if (!b) throw new ArtifactsError("NOT_FOUND", "Blob not found.");
  return new Response(await b.arrayBuffer(), { headers: { "Content-Type": "application/octet-stream", ...SAFE, ...FOREVER } });
});
/**
 * The binding raises INTERNAL_ERROR for an object of the wrong kind (docs/contract.md "Repo handle"); over REST that
 * is the client's mistake, so it is a 404 like a blob route given a tree (docs/contract-choices.md).
 */
async function ofKind<T>(read: Promise<T>, kind: string): Promise<T> {
  try {
    return await read;
  } catch (e) {
    // Only the repo object's own ArtifactsError for a wrong kind; any other failure stays a 500.
    const x = e as { name?: string; code?: string };
    if (x?.name === "ArtifactsError" && x.code === "INTERNAL_ERROR") throw new ArtifactsError("NOT_FOUND", `Object is not a ${kind}.`);
    throw e;
  }
}
route("GET", "/namespaces/:ns/repos/:name/tree/:hash", "content.read", async (c) => {
  const { stub } = await repoFor(c);
  const t = await ofKind(stub.readTree(checkHash(c.params.hash)), "tree");
  if (!t) throw new ArtifactsError("NOT_FOUND", "Tree not found.");
  return ok(t, 200, undefined, FOREVER);
});
route("GET", "/namespaces/:ns/repos/:name/commit/:hash", "content.read", async (c) => {
  const { stub } = await repoFor(c);
  const m = await ofKind(stub.readCommit(checkHash(c.params.hash)), "commit");
  if (!m) throw new ArtifactsError("NOT_FOUND", "Commit not found.");
  return ok(restCommit(m), 200, undefined, FOREVER);
});
route("GET", "/namespaces/:ns/repos/:name/file", "content.read", async (c) => {
  const { stub } = await repoFor(c);
  const f = await stub.fileBytes(c.url.searchParams.get("ref") ?? "HEAD", c.url.searchParams.get("path") ?? "");
  if (!f) throw new ArtifactsError("NOT_FOUND", "File not found.");
  return new Response(f.bytes, { headers: { "Content-Type": contentTypeFor(f.path, f.bytes), ...SAFE, "Cache-Control": "no-cache" } });
});
// raw/<ref>/<path>: a ref may itself contain "/" (feature/x), so try each split, shortest ref first.
route("GET", "/namespaces/:ns/repos/:name/raw/:rest+", "content.read", async (c) => {
  const { stub } = await repoFor(c);
  const segs = c.params.rest!.split("/");
  for (let i = 1; i < segs.length; i++) {
    const f = await stub.fileBytes(segs.slice(0, i).join("/"), segs.slice(i).join("/"));
    if (f) return new Response(f.bytes, { headers: { "Content-Type": contentTypeFor(f.path, f.bytes), ...SAFE, "Cache-Control": "no-cache" } });
  }
  throw new ArtifactsError("NOT_FOUND", "File not found.");
});
route("GET", "/namespaces/:ns/repos/:name/log", "content.read", async (c) => {
  const { stub } = await repoFor(c);
  const q = c.url.searchParams;
  const opts: Record<string, unknown> = {};
  if (q.get("ref")) opts.ref = q.get("ref");
  if (q.get("limit")) opts.limit = Number(q.get("limit"));
  if (q.get("offset")) opts.offset = Number(q.get("offset"));
  return ok((await stub.log(opts)).map(restCommit));
});
route("GET", "/namespaces/:ns/repos/:name/refs", "content.read", async (c) => {
  const { stub } = await repoFor(c);
  const r = await stub.refs();
  return ok({ head: r.head, refs: r.refs });
});
route("GET", "/namespaces/:ns/repos/:name/stats", "content.read", async (c) => {
  const { stub } = await repoFor(c);
  return ok(await stub.stats());
});

// ── audit log and events (emulator extensions, read-only) ──────────────────────
route("GET", "/namespaces/:ns/audit", "audit.read", async (c) => {
  const s = svc(c);
  const q = c.url.searchParams;
  const time = (v: string | null) => (v ? (/^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v)) : undefined);
  const since = time(q.get("since"));
  const until = time(q.get("until"));
  if (Number.isNaN(since) || Number.isNaN(until)) throw invalidInput("Invalid since/until: use unix seconds or an ISO-8601 time.");
  const entries = await s.listAudit({
    limit: intParam(q.get("limit"), "limit", 100, 1, 1000),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(q.get("principal") ? { principal: q.get("principal")! } : {}),
    ...(q.get("action") ? { action: q.get("action")! } : {}),
    ...(q.get("before") ? { before: intParam(q.get("before"), "before", 0, 0, Number.MAX_SAFE_INTEGER) } : {}),
  });
  return ok(entries);
});
route("GET", "/namespaces/:ns/events", "events.read", async (c) => {
  const s = svc(c);
  const q = c.url.searchParams;
  const events = await s.listEvents({
    limit: intParam(q.get("limit"), "limit", 100, 1, 1000),
    ...(q.get("type") ? { type: q.get("type")! } : {}),
    ...(q.get("repo") ? { repo: q.get("repo")! } : {}),
    ...(q.get("after") ? { after: intParam(q.get("after"), "after", 0, 0, Number.MAX_SAFE_INTEGER) } : {}),
  });
  return ok(events);
});

// ── API tokens (operator only) ────────────────────────────────────────────────
route("GET", "/api-tokens", "apitoken.manage", async (c) => {
  return ok((await account(c).listApiTokens()).map(restApiToken));
});
route("POST", "/api-tokens", "apitoken.manage", async (c) => {
  const b = await json(c);
  const scopes = checkApiTokenScopes(b.scopes);
  const ns = b.namespace === undefined || b.namespace === null ? null : checkNamespaceName(b.namespace);
  const ttl = checkApiTokenTtl(b.ttl);
  if (b.allow_ips !== undefined && b.allow_ips !== null && !Array.isArray(b.allow_ips))
    throw invalidInput("Invalid allow_ips: must be an array of IP addresses or CIDRs.");
  const ips = (Array.isArray(b.allow_ips) ? b.allow_ips : []) as unknown[];
  if (ips.some((i) => typeof i !== "string" || !isValidCidr(i))) throw invalidInput("Invalid allow_ips: each entry must be an IP address or CIDR.");
  const name = typeof b.name === "string" && b.name ? b.name : "local token";
  const t = await account(c).createApiToken({ name, scopes: scopes as ApiScope[], namespace: ns, ttlSeconds: ttl, allowIps: ips as string[] });
  return ok(restApiToken(t), 201);
});
route("DELETE", "/api-tokens/:id", "apitoken.manage", async (c) => {
  if (!(await account(c).revokeApiToken(c.params.id!))) throw new ArtifactsError("NOT_FOUND", "API token not found.");
  return ok({ id: c.params.id });
});

function safeAtob(s: string): string | undefined {
  try {
    return atob(s);
  } catch {
    return undefined;
  }
}

function decodeParam(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    throw invalidInput("Invalid path: malformed percent-encoding.");
  }
}

/** Dispatch `path` (relative to the artifacts base) for a request; `accountId` is the v4 path's account. */
export async function handleRest(
  env: Env,
  req: Request,
  path: string,
  origin: string,
  accountId?: string,
  info: RequestInfo = {},
  base = "",
): Promise<Response> {
  try {
    const matching = routes.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return notRoutable(req);
    info.route = base + matching[0]!.path;
    const r = matching.find((x) => x.method === req.method || (req.method === "HEAD" && x.method === "GET"));
    if (!r)
      return fail(405, CF.METHOD, `Method ${req.method} not allowed for this route; use ${[...new Set(matching.map((x) => x.method))].join(" or ")}`, {
        Allow: [...new Set(matching.map((x) => x.method))].join(", "),
      });
    info.route = base + r.path;
    const principal = await restPrincipal(env, req);
    if (principal instanceof Refused) return toEnvelope(principal);
    info.principal = principalLabel(principal);
    if (accountId !== undefined && env.ACCOUNT_ID && accountId !== env.ACCOUNT_ID)
      return fail(403, CF.AUTH, "Authentication error: this credential cannot access that account");
    const m = r.pattern.exec(path)!;
    const params: Record<string, string> = {};
    // A malformed escape is reported after authorization, like every other validation error.
    let badParam: unknown;
    const decode = (v: string) => {
      try {
        return decodeParam(v);
      } catch (e) {
        badParam ??= e;
        return v;
      }
    };
    r.keys.forEach((k, i) => (params[k] = k === "rest" ? m[i + 1]!.split("/").map(decode).join("/") : decode(m[i + 1]!)));
    if (params.ns !== undefined) info.namespace = params.ns;
    if (params.name !== undefined) info.repo = params.name;
    // Authorization before validation: the path's namespace is checked for form only after the
    // policy has seen it as given (a malformed name matches no token's namespace).
    if (r.action) deny(authorize(principal, r.action, params.ns !== undefined ? { namespace: params.ns } : {}));
    if (badParam) throw badParam;
    if (params.ns !== undefined) checkNamespaceName(params.ns);
    // Request rate per namespace (docs/contract.md "Limits"), when configured; counted once the caller is known.
    const rate = rateVar(env.RATE_LIMIT_API);
    if (rate && params.ns !== undefined) {
      const ns = checkNamespaceName(params.ns);
      const wait = await apiRateCheck(env, ns, rate);
      if (wait !== undefined) {
        await req.body?.cancel().catch(() => {});
        return fail(429, CF.RATE_LIMIT, "Please wait and consider throttling your request speed", { "Retry-After": String(wait) });
      }
    }
    return await r.handler({ env, req, url: new URL(req.url), principal, origin, params });
  } catch (e) {
    return toEnvelope(e);
  }
}

/** Cloudflare's answer for a path no route serves (with 404 rather than its 400; docs/contract-choices.md). */
export function notRoutable(req: Request): Response {
  // The path is echoed as Cloudflare does, minus anything shaped like a credential someone pasted into it.
  const path = new URL(req.url).pathname.replace(/(art_v1_|art_v2_[a-z]_|cfat_)[^/]*/gi, "[redacted]");
  return fail(404, [
    { code: CF.ROUTE, message: `Could not route to ${path}, perhaps your object identifier is invalid?` },
    { code: CF.NO_ROUTE, message: "No route for that URI" },
  ]);
}

export { principalLabel };
