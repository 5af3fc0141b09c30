/**
 * The service's HTTP surface: Git remotes, the REST API (two bases), the few account routes that
 * Cloudflare's own tools call on the way (token verification, accounts, memberships, user), and
 * operational routes. Every failure outside the Git remotes is a v4 JSON envelope.
 */
import type { Env } from "../env.js";
import { handleGitRoute, isGitPath } from "./git-route.js";
import { handleRest, notRoutable } from "../rest/routes.js";
import { fail, ok, CF, toEnvelope } from "../rest/envelope.js";
import { restPrincipal } from "../auth/principals.js";
import { Refused } from "../errors.js";
import { requestLine, type RequestInfo } from "../util/log.js";
import { principalLabel } from "../auth/policy.js";

const CF_BASE = /^\/client\/v4\/accounts\/([^/]+)\/artifacts(\/.*)$/;
const V1_BASE = /^\/v1\/api(\/namespaces(?:\/.*)?)$/;
const ACCOUNT_VERIFY = /^\/client\/v4\/accounts\/([^/]+)\/tokens\/verify$/;

/** Origin for `remote` URLs: configured, else the request's own. */
export function originFor(env: Env, request: Request): string {
  return (env.PUBLIC_ORIGIN ?? new URL(request.url).origin).replace(/\/+$/, "");
}

/** Every HTTP request: routed, answered, and logged as one JSON line (util/log.ts). */
export async function handleHttp(request: Request, env: Env): Promise<Response> {
  const started = Date.now();
  const info: RequestInfo = {};
  let res: Response;
  try {
    res = await route(request, env, info);
  } catch (e) {
    requestLine(request, info, 500, started, env);
    throw e;
  }
  requestLine(request, info, res.status, started, env);
  return res;
}

async function route(request: Request, env: Env, info: RequestInfo): Promise<Response> {
  const url = new URL(request.url);
  if (isGitPath(url.pathname)) return handleGitRoute(request, env, info);
  try {
    return await handleApi(request, env, url, info);
  } catch (e) {
    // toEnvelope logs an unexpected cause (never a credential: none is ever put in an error) and hides it.
    return toEnvelope(e);
  }
}

/** One page of a one-element list, honouring ?page and ?per_page: clients page until a page comes back empty. */
function pageOfOne(url: URL, item: unknown): Response {
  const int = (v: string | null, d: number) => (v && /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : d);
  const page = int(url.searchParams.get("page"), 1);
  const perPage = int(url.searchParams.get("per_page"), 20);
  const items = page === 1 ? [item] : [];
  return ok(items, 200, { page, per_page: perPage, count: items.length, total_count: 1, total_pages: 1 });
}

async function handleApi(request: Request, env: Env, url: URL, info: RequestInfo): Promise<Response> {
  // One trailing slash is tolerated, as Cloudflare's API does.
  const path = url.pathname.length > 1 ? url.pathname.replace(/\/$/, "") : url.pathname;
  if (path === "/health" || path === "/cdn-cgi/artifacts/health") {
    info.route = path;
    return Response.json({ ok: true, service: "artifacts-emulator" });
  }

  let m = CF_BASE.exec(path);
  if (m) return handleRest(env, request, m[2]!, originFor(env, request), m[1]!, info, "/client/v4/accounts/:account_id/artifacts");
  m = V1_BASE.exec(path);
  if (m) return handleRest(env, request, m[1]!, originFor(env, request), undefined, info, "/v1/api");

  const get = request.method === "GET" || request.method === "HEAD";
  // Token verification (wrangler whoami, SDK users): user-owned and account-owned token forms.
  m = ACCOUNT_VERIFY.exec(path);
  if (path === "/client/v4/user/tokens/verify" || m) {
    info.route = m ? "/client/v4/accounts/:account_id/tokens/verify" : path;
    if (!get) return fail(405, CF.METHOD, `Method ${request.method} not allowed for this route; use GET`, { Allow: "GET" });
    const a = await restPrincipal(env, request);
    if (a instanceof Refused) return fail(401, CF.INVALID_TOKEN, "Invalid API Token");
    info.principal = principalLabel(a);
    const id = a.kind === "api-token" ? a.id : "admin";
    return new Response(
      JSON.stringify({
        result: { id, status: "active" },
        success: true,
        errors: [],
        messages: [{ code: 10000, message: "This API Token is valid and active", type: null }],
      }),
      { headers: { "Content-Type": "application/json; charset=utf-8" } },
    );
  }
  // What wrangler calls to pick an account when CLOUDFLARE_ACCOUNT_ID is unset, and for whoami.
  if (path === "/client/v4/accounts" || path === "/client/v4/memberships" || path === "/client/v4/user") {
    info.route = path;
    if (!get) return fail(405, CF.METHOD, `Method ${request.method} not allowed for this route; use GET`, { Allow: "GET" });
    const a = await restPrincipal(env, request);
    if (a instanceof Refused) return toEnvelope(a);
    info.principal = principalLabel(a);
    const account = { id: env.ACCOUNT_ID ?? "local", name: "Local Artifacts emulator", type: "standard" };
    if (path === "/client/v4/user") return ok({ id: "local", email: "local@artifacts-emulator.invalid" });
    if (path === "/client/v4/accounts") return pageOfOne(url, account);
    return pageOfOne(url, { id: account.id, account: { id: account.id, name: account.name }, status: "accepted" });
  }
  return notRoutable(request);
}
