/**
 * REST control plane (contract §5.3) under /client/v4/accounts/:account_id/artifacts (the form
 * wrangler and Cloudflare's SDK build) and /v1/api (the older documented base). Handlers only
 * parse, call the service (which authorizes), and shape snake_case results.
 */
import type { Env, RepoMeta } from "../env.js";
import { ArtifactsError, invalidInput, toArtifactsError } from "../errors.js";
import { AccessDenied, ArtifactsService } from "../service.js";
import { authorize, principalLabel, type Principal } from "../auth/policy.js";
import { checkHash, checkNamespaceName, checkRepoName } from "../validate.js";
import { contentTypeFor } from "../repo/mime.js";
import { restPrincipal } from "../http/auth.js";
import { CF, fail, fromArtifactsError, ok } from "./envelope.js";
import type { SortKey } from "../namespace/namespace-object.js";
import { isValidCidr } from "../auth/cidr.js";
import type { ApiScope } from "../auth/account-object.js";

const MAX_JSON_BODY = 1024 * 1024;

type Ctx = { env: Env; req: Request; url: URL; principal: Principal; origin: string; params: Record<string, string> };
type Handler = (c: Ctx) => Promise<Response>;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

const routes: Route[] = [];
function route(method: string, path: string, handler: Handler) {
  const keys: string[] = [];
  const src = path.replace(/:(\w+)(\+)?/g, (_m, k: string, plus: string) => {
    keys.push(k);
    return plus ? "(.+)" : "([^/]+)";
  });
  routes.push({ method, pattern: new RegExp(`^${src}$`), keys, handler });
}

export function restInfo(m: RepoMeta & { status?: string }) {
  return { id: m.id, name: m.name, description: m.description, default_branch: m.defaultBranch, created_at: m.createdAt, updated_at: m.updatedAt, last_push_at: m.lastPushAt, source: m.source, read_only: m.readOnly, status: "ready" };
}

async function json(c: Ctx): Promise<Record<string, unknown>> {
  const len = Number(c.req.headers.get("Content-Length") ?? "0");
  if (len > MAX_JSON_BODY) throw new HttpFail(413, CF.TOO_LARGE, `Request body is larger than ${MAX_JSON_BODY} bytes`);
  const text = await c.req.text();
  if (text.length > MAX_JSON_BODY) throw new HttpFail(413, CF.TOO_LARGE, `Request body is larger than ${MAX_JSON_BODY} bytes`);
  if (text.trim() === "") return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error();
    return v as Record<string, unknown>;
  } catch {
    throw new HttpFail(400, CF.BAD_JSON, "Invalid JSON body: expected an object");
  }
}

class HttpFail extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const svc = (c: Ctx) => new ArtifactsService(c.env, checkNamespaceName(decodeURIComponent(c.params.ns!)), c.principal, c.origin);
const intParam = (v: string | null, name: string, def: number, min: number, max: number) => {
  if (v === null || v === "") return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidInput(`Invalid ${name}: must be an integer between ${min} and ${max}.`);
  return n;
};
const nameParam = (c: Ctx) => checkRepoName(decodeURIComponent(c.params.name!));

// ── namespaces (account level) ────────────────────────────────────────────────
route("GET", "/namespaces", async (c) => {
  const d = authorize(c.principal, "namespace.list", {});
  if (!d.allow) throw new AccessDenied(d.status, d.reason);
  const limit = intParam(c.url.searchParams.get("limit") ?? c.url.searchParams.get("per_page"), "limit", 100, 1, 200);
  const cursor = c.url.searchParams.get("cursor") ?? undefined;
  const account = c.env.ACCOUNT.get(c.env.ACCOUNT.idFromName("account"));
  const after = cursor ? safeAtob(cursor) : undefined;
  const r = await account.listNamespaces(limit, after);
  const visible = c.principal.kind === "api-token" && c.principal.namespace ? r.namespaces.filter((n) => n.namespace === (c.principal as { namespace: string }).namespace) : r.namespaces;
  const last = r.namespaces[r.namespaces.length - 1];
  return ok(visible, 200, { cursor: r.more && last ? btoa(last.namespace) : "", per_page: limit, count: visible.length });
});
route("POST", "/namespaces", async (c) => {
  const body = await json(c);
  const name = checkNamespaceName(body.namespace);
  const d = authorize(c.principal, "namespace.create", { namespace: name });
  if (!d.allow) throw new AccessDenied(d.status, d.reason);
  const j = body.jurisdiction === undefined ? "unrestricted" : body.jurisdiction;
  if (j !== "unrestricted" && j !== "eu" && j !== "us" && j !== "fedramp") throw invalidInput("Invalid jurisdiction: must be eu, us or fedramp.");
  const account = c.env.ACCOUNT.get(c.env.ACCOUNT.idFromName("account"));
  if (!(await account.createNamespace(name, j as string))) throw new ArtifactsError("ALREADY_EXISTS", `namespace already exists: ${name}`);
  return ok(await account.getNamespace(name), 201);
});
route("GET", "/namespaces/:ns", async (c) => {
  const s = svc(c);
  s.authz("namespace.read");
  const info = await s.account().getNamespace(s.namespace);
  if (!info) throw new ArtifactsError("NOT_FOUND", `Namespace not found: ${s.namespace}.`);
  return ok(info);
});

// ── repos ─────────────────────────────────────────────────────────────────────
route("POST", "/namespaces/:ns/repos", async (c) => {
  const body = await json(c);
  const r = await svc(c).create(body.name, {
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.read_only !== undefined ? { readOnly: body.read_only } : {}),
    ...(body.default_branch !== undefined ? { setDefaultBranch: body.default_branch } : {}),
  });
  return ok({ id: r.id, name: r.name, description: r.description, default_branch: r.defaultBranch, remote: r.remote, token: r.token }, 201);
});
route("GET", "/namespaces/:ns/repos", async (c) => {
  const q = c.url.searchParams;
  const limit = intParam(q.get("limit") ?? q.get("per_page"), "limit", 50, 1, 200);
  const sort = (q.get("sort") ?? "created_at") as SortKey;
  if (!["created_at", "updated_at", "last_push_at", "name"].includes(sort)) throw invalidInput("Invalid sort: must be created_at, updated_at, last_push_at or name.");
  const direction = (q.get("direction") ?? (sort === "name" ? "asc" : "desc")) as "asc" | "desc";
  if (direction !== "asc" && direction !== "desc") throw invalidInput("Invalid direction: must be asc or desc.");
  const s = svc(c);
  const search = q.get("search") ?? undefined;
  const r = await s.list({ limit, ...(q.get("cursor") ? { cursor: q.get("cursor") } : {}) }, { ...(search ? { search } : {}), sort, direction });
  return ok(r.repos.map((m) => ({ ...restInfo(m), remote: s.remote(m.name) })), 200, { cursor: r.cursor ?? "", per_page: limit, count: r.repos.length, total_count: r.total });
});
route("GET", "/namespaces/:ns/repos/:name", async (c) => {
  const s = svc(c);
  const rec = await s.record(nameParam(c));
  const m = await s.info(rec.id, rec.name);
  return ok({ ...restInfo(m), remote: m.remote });
});
route("DELETE", "/namespaces/:ns/repos/:name", async (c) => {
  const s = svc(c);
  const name = nameParam(c);
  const r = await s.delete(name);
  if (!r.deleted) throw new ArtifactsError("NOT_FOUND", `Repository not found: ${name}.`);
  return ok({ id: r.id }, 202);
});
route("POST", "/namespaces/:ns/repos/:name/fork", async (c) => {
  const body = await json(c);
  const r = await svc(c).fork(nameParam(c), body.name, {
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.read_only !== undefined ? { readOnly: body.read_only } : {}),
    ...(body.default_branch_only !== undefined ? { defaultBranchOnly: body.default_branch_only } : {}),
  });
  return ok({ id: r.id, name: r.name, description: r.description, default_branch: r.defaultBranch, remote: r.remote, token: r.token, objects: r.objects }, 201);
});
route("POST", "/namespaces/:ns/repos/:name/import", async (c) => {
  const body = await json(c);
  const r = await svc(c).import({
    source: { url: body.url, ...(body.branch !== undefined ? { branch: body.branch } : {}), ...(body.depth !== undefined ? { depth: body.depth } : {}) },
    target: { name: decodeURIComponent(c.params.name!), opts: { ...(body.read_only !== undefined ? { readOnly: body.read_only } : {}), ...(body.description !== undefined ? { description: body.description } : {}) } },
  });
  return ok({ id: r.id, name: r.name, description: r.description, default_branch: r.defaultBranch, remote: r.remote, token: r.token }, 201);
});

// ── tokens ────────────────────────────────────────────────────────────────────
route("GET", "/namespaces/:ns/repos/:name/tokens", async (c) => {
  const q = c.url.searchParams;
  const state = (q.get("state") ?? "active") as "active" | "expired" | "revoked" | "all";
  if (!["active", "expired", "revoked", "all"].includes(state)) throw invalidInput("Invalid state: must be active, expired, revoked or all.");
  const perPage = intParam(q.get("per_page"), "per_page", 30, 1, 100);
  const page = intParam(q.get("page"), "page", 1, 1, 1_000_000);
  const s = svc(c);
  s.authz("token.list");
  const rec = await s.record(nameParam(c));
  const r = await s.repo(rec.id).listTokensPage(state, page, perPage);
  return ok(r.tokens.map((t) => ({ id: t.id, scope: t.scope, state: t.state, created_at: t.createdAt, expires_at: t.expiresAt })), 200, { page, per_page: perPage, total_pages: Math.max(1, Math.ceil(r.total / perPage)), count: r.tokens.length, total_count: r.total });
});
route("POST", "/namespaces/:ns/tokens", async (c) => {
  const body = await json(c);
  if (typeof body.repo !== "string") throw invalidInput("Invalid repo: repo is required.");
  const s = svc(c);
  s.authz("token.create");
  const rec = await s.record(checkRepoName(body.repo));
  const t = await s.createToken(rec.id, rec.name, body.scope, body.ttl);
  return ok({ id: t.id, plaintext: t.plaintext, scope: t.scope, expires_at: t.expiresAt }, 201);
});
route("DELETE", "/namespaces/:ns/tokens/:id", async (c) => {
  const id = c.params.id!;
  if (!/^[0-9a-z]{16}$/.test(id)) throw invalidInput("Invalid token id.");
  const s = svc(c);
  s.authz("token.revoke");
  const repoId = await s.ns().tokenRepo(id);
  if (!repoId) throw new ArtifactsError("NOT_FOUND", `Token not found: ${id}.`);
  const meta = await s.repo(repoId).info();
  if (!meta || !(await s.revokeToken(repoId, meta.name, id))) throw new ArtifactsError("NOT_FOUND", `Token not found: ${id}.`);
  return ok({ id });
});

// ── reads ─────────────────────────────────────────────────────────────────────
async function repoFor(c: Ctx) {
  const s = svc(c);
  s.authz("content.read");
  const rec = await s.record(nameParam(c));
  return { s, stub: s.repo(rec.id), rec };
}
const FOREVER = { "Cache-Control": "public, max-age=31536000, immutable" };
route("GET", "/namespaces/:ns/repos/:name/blob/:hash", async (c) => {
  const { stub } = await repoFor(c);
  const b = await stub.readBlob(checkHash(c.params.hash));
  if (!b) throw new ArtifactsError("NOT_FOUND", "Blob not found.");
  return new Response(await b.arrayBuffer(), { headers: { "Content-Type": "application/octet-stream", ...FOREVER } });
});
route("GET", "/namespaces/:ns/repos/:name/tree/:hash", async (c) => {
  const { stub } = await repoFor(c);
  const t = await stub.readTree(checkHash(c.params.hash));
  if (!t) throw new ArtifactsError("NOT_FOUND", "Tree not found.");
  return ok(t, 200, undefined, FOREVER);
});
route("GET", "/namespaces/:ns/repos/:name/commit/:hash", async (c) => {
  const { stub } = await repoFor(c);
  const m = await stub.readCommit(checkHash(c.params.hash));
  if (!m) throw new ArtifactsError("NOT_FOUND", "Commit not found.");
  return ok(m, 200, undefined, FOREVER);
});
route("GET", "/namespaces/:ns/repos/:name/file", async (c) => {
  const { stub } = await repoFor(c);
  const f = await stub.readFile(c.url.searchParams.get("ref") ?? "HEAD", c.url.searchParams.get("path") ?? "");
  if (!f) throw new ArtifactsError("NOT_FOUND", "File not found.");
  return new Response(await f.arrayBuffer(), { headers: { "Content-Type": "application/octet-stream" } });
});
route("GET", "/namespaces/:ns/repos/:name/raw/:ref/:path+", async (c) => {
  const { stub } = await repoFor(c);
  const path = decodeURIComponent(c.params.path!);
  const f = await stub.fileBytes(decodeURIComponent(c.params.ref!), path);
  if (!f) throw new ArtifactsError("NOT_FOUND", "File not found.");
  return new Response(f.bytes, {
    headers: { "Content-Type": contentTypeFor(f.path, f.bytes), "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox", "Content-Disposition": "inline", "Cache-Control": "no-cache" },
  });
});
route("GET", "/namespaces/:ns/repos/:name/log", async (c) => {
  const { stub } = await repoFor(c);
  const q = c.url.searchParams;
  const opts: Record<string, unknown> = {};
  if (q.get("ref")) opts.ref = q.get("ref");
  if (q.get("limit")) opts.limit = Number(q.get("limit"));
  if (q.get("offset")) opts.offset = Number(q.get("offset"));
  return ok(await stub.log(opts));
});
route("GET", "/namespaces/:ns/repos/:name/refs", async (c) => {
  const { stub } = await repoFor(c);
  const r = await stub.refs();
  return ok({ head: r.head, refs: r.refs });
});
route("GET", "/namespaces/:ns/repos/:name/stats", async (c) => {
  const { stub } = await repoFor(c);
  return ok(await stub.stats());
});

// ── audit log and events (emulator extensions, read-only) ──────────────────────
route("GET", "/namespaces/:ns/audit", async (c) => {
  const s = svc(c);
  s.authz("audit.read");
  const q = c.url.searchParams;
  const time = (v: string | null) => (v ? (/^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v)) : undefined);
  const entries = await s.ns().listAudit({
    limit: intParam(q.get("limit"), "limit", 100, 1, 1000),
    ...(time(q.get("since")) !== undefined ? { since: time(q.get("since"))! } : {}),
    ...(time(q.get("until")) !== undefined ? { until: time(q.get("until"))! } : {}),
    ...(q.get("principal") ? { principal: q.get("principal")! } : {}),
    ...(q.get("action") ? { action: q.get("action")! } : {}),
    ...(q.get("before") ? { before: Number(q.get("before")) } : {}),
  });
  return ok(entries);
});
route("GET", "/namespaces/:ns/events", async (c) => {
  const s = svc(c);
  s.authz("events.read");
  const q = c.url.searchParams;
  const events = await s.ns().listEvents({
    limit: intParam(q.get("limit"), "limit", 100, 1, 1000),
    ...(q.get("type") ? { type: q.get("type")! } : {}),
    ...(q.get("repo") ? { repo: q.get("repo")! } : {}),
    ...(q.get("after") ? { after: Number(q.get("after")) } : {}),
  });
  return ok(events);
});

// ── API tokens (operator only) ────────────────────────────────────────────────
function requireManage(p: Principal) {
  const d = authorize(p, "apitoken.manage");
  if (!d.allow) throw new AccessDenied(d.status, d.reason);
}
route("GET", "/api-tokens", async (c) => {
  requireManage(c.principal);
  return ok(await c.env.ACCOUNT.get(c.env.ACCOUNT.idFromName("account")).listApiTokens());
});
route("POST", "/api-tokens", async (c) => {
  requireManage(c.principal);
  const b = await json(c);
  const scopes = (Array.isArray(b.scopes) ? b.scopes : ["artifacts:read"]) as unknown[];
  if (scopes.length === 0 || scopes.some((s) => s !== "artifacts:read" && s !== "artifacts:write")) throw invalidInput("Invalid scopes: use artifacts:read and/or artifacts:write.");
  const ns = b.namespace === undefined || b.namespace === null ? null : checkNamespaceName(b.namespace);
  const ttl = b.ttl === undefined || b.ttl === null ? null : b.ttl;
  if (ttl !== null && (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 60)) throw invalidInput("Invalid ttl: must be an integer of at least 60 seconds.");
  const ips = (Array.isArray(b.allow_ips) ? b.allow_ips : []) as unknown[];
  if (ips.some((i) => typeof i !== "string" || !isValidCidr(i))) throw invalidInput("Invalid allow_ips: each entry must be an IP address or CIDR.");
  const name = typeof b.name === "string" && b.name ? b.name : "local token";
  const t = await c.env.ACCOUNT.get(c.env.ACCOUNT.idFromName("account")).createApiToken({ name, scopes: scopes as ApiScope[], namespace: ns, ttlSeconds: ttl as number | null, allowIps: ips as string[] });
  return ok(t, 201);
});
route("DELETE", "/api-tokens/:id", async (c) => {
  requireManage(c.principal);
  if (!(await c.env.ACCOUNT.get(c.env.ACCOUNT.idFromName("account")).revokeApiToken(c.params.id!))) throw new ArtifactsError("NOT_FOUND", "API token not found.");
  return ok({ id: c.params.id });
});

function safeAtob(s: string): string | undefined {
  try {
    return atob(s);
  } catch {
    return undefined;
  }
}

/** Dispatch `path` (relative to the artifacts base) for an authenticated request. */
export async function handleRest(env: Env, req: Request, path: string, origin: string): Promise<Response> {
  try {
    const matching = routes.filter((r) => r.pattern.test(path));
    if (matching.length === 0) return fail(404, CF.ROUTE, `Could not route to ${new URL(req.url).pathname}, perhaps your object identifier is invalid?`);
    const r = matching.find((x) => x.method === req.method || (req.method === "HEAD" && x.method === "GET"));
    if (!r) return fail(405, CF.METHOD, `Method ${req.method} not allowed for this route`);
    const auth = await restPrincipal(env, req);
    if (!auth.ok) return fail(auth.status, CF.AUTH, auth.message);
    const m = r.pattern.exec(path)!;
    const params: Record<string, string> = {};
    r.keys.forEach((k, i) => (params[k] = m[i + 1]!));
    return await r.handler({ env, req, url: new URL(req.url), principal: auth.principal, origin, params });
  } catch (e) {
    if (e instanceof HttpFail) return fail(e.status, e.code, e.message);
    if (e instanceof AccessDenied) return fail(e.status, CF.AUTH, e.message);
    return fromArtifactsError(toArtifactsError(e));
  }
}

export { principalLabel };
