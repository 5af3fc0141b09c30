/** The service's HTTP surface: Git remotes, the REST API (two bases), and operational routes. */
import type { Env } from "../env.js";
import { handleGitRoute, isGitPath } from "./git-route.js";
import { handleRest } from "../rest/routes.js";
import { fail, ok, CF } from "../rest/envelope.js";
import { restPrincipal } from "./auth.js";

const CF_BASE = /^\/client\/v4\/accounts\/([^/]+)\/artifacts(\/.*)$/;
const V1_BASE = /^\/v1\/api(\/namespaces(?:\/.*)?)$/;

/** Origin for `remote` URLs: configured, else the request's own. */
export function originFor(env: Env, request: Request): string {
  return (env.PUBLIC_ORIGIN ?? new URL(request.url).origin).replace(/\/+$/, "");
}

export async function handleHttp(request: Request, env: Env): Promise<Response> {
  const url = new URL(request.url);
  const path = url.pathname;
  if (isGitPath(path)) return handleGitRoute(request, env);
  if (path === "/health" || path === "/cdn-cgi/artifacts/health") return Response.json({ ok: true, service: "artifacts-emulator" });

  let m = CF_BASE.exec(path);
  if (m) {
    if (env.ACCOUNT_ID && m[1] !== env.ACCOUNT_ID) return fail(403, CF.AUTH, "Authentication error: unknown account");
    return handleRest(env, request, m[2]!, originFor(env, request));
  }
  m = V1_BASE.exec(path);
  if (m) return handleRest(env, request, m[1]!, originFor(env, request));

  // What wrangler and the SDK may call on the way: token verification and the account list.
  if (path === "/client/v4/user/tokens/verify") {
    const a = await restPrincipal(env, request);
    if (!a.ok) return fail(401, 1000, "Invalid API Token");
    const id = a.principal.kind === "api-token" ? a.principal.id : "admin";
    return ok({ id, status: "active" }, 200, undefined);
  }
  if (path === "/client/v4/accounts" || path === "/client/v4/memberships") {
    const a = await restPrincipal(env, request);
    if (!a.ok) return fail(a.status, CF.AUTH, a.message);
    const account = { id: env.ACCOUNT_ID ?? "local", name: "Local Artifacts emulator" };
    return ok(path.endsWith("accounts") ? [account] : [{ id: account.id, account, status: "accepted" }], 200, { page: 1, per_page: 20, count: 1, total_count: 1, total_pages: 1 });
  }
  if (path === "/client/v4/user") {
    const a = await restPrincipal(env, request);
    if (!a.ok) return fail(a.status, CF.AUTH, a.message);
    return ok({ id: "local", email: "local@artifacts-emulator.invalid" });
  }
  if (path.startsWith("/client/v4/")) return fail(404, CF.ROUTE, `Could not route to ${path}, perhaps your object identifier is invalid?`);
  return new Response("Not found\n", { status: 404, headers: { "Content-Type": "text/plain" } });
}
