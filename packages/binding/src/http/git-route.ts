/**
 * Git remotes at /git/<namespace>/<repo>.git (contract §6). Order (§6.3): route and method (404
 * for anything but the four smart-HTTP requests) → repo lookup (404 before authentication) →
 * repo token (401 with a Basic challenge so git reports an authentication failure; 403 naming the
 * reason for an expired or revoked token of this repo, docs/contract-choices.md) → policy (403
 * for read tokens pushing and read-only repos) → declared body size (413) → the repo's Durable
 * Object, which runs the engine.
 */
import type { Env } from "../env.js";
import { authorize, principalLabel, type Principal } from "../auth/policy.js";
import { ACCESS_HEADER, PRINCIPAL_HEADER } from "../repo/repo-object.js";
import { gitCredential } from "./auth.js";
import { gitBodyLimit, rateVar } from "../limits.js";
import { log, redact, type RequestInfo } from "../util/log.js";

const GIT_PATH = /^\/git\/([^/]+)\/([^/]+?)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/;

const text = (status: number, body: string, headers: Record<string, string> = {}) => new Response(body + "\n", { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
const notFound = () => text(404, "Not found");
const unauthorized = () => text(401, "Invalid Artifacts token", { "WWW-Authenticate": 'Basic realm="Artifacts"' });

export function isGitPath(pathname: string) {
  return pathname.startsWith("/git/");
}

export async function handleGitRoute(request: Request, env: Env, info: RequestInfo = {}): Promise<Response> {
  try {
    return await routeGit(request, env, info);
  } catch (e) {
    // Git clients print a response body verbatim: an unexpected failure is one line, never a stack trace.
    log("error", "git request failed", { route: info.route, namespace: info.namespace, repo: info.repo, error: redact(String(e)) });
    await request.body?.cancel().catch(() => {});
    return text(500, "Internal error");
  }
}

async function routeGit(request: Request, env: Env, info: RequestInfo): Promise<Response> {
  const url = new URL(request.url);
  const m = GIT_PATH.exec(url.pathname);
  if (!m) return notFound();
  const sub = m[3]!;
  const service = sub === "info/refs" ? url.searchParams.get("service") : sub;
  if (service !== "git-upload-pack" && service !== "git-receive-pack") return notFound();
  // Only GET info/refs and POST to the two services exist; any other method is a route that does
  // not exist, so 404 like the rest (docs/contract-choices.md "Git endpoints: methods").
  if (request.method !== (sub === "info/refs" ? "GET" : "POST")) {
    await request.body?.cancel().catch(() => {});
    return notFound();
  }
  info.route = sub === "info/refs" ? `/git/:ns/:repo.git/info/refs?service=${service}` : `/git/:ns/:repo.git/${sub}`;
  let namespace: string;
  let name: string;
  try {
    namespace = decodeURIComponent(m[1]!);
    name = decodeURIComponent(m[2]!);
  } catch {
    return notFound();
  }
  info.namespace = namespace;
  info.repo = name;
  const ns = env.NAMESPACE.get(env.NAMESPACE.idFromName(namespace));
  const { record: rec, retryAfter } = await ns.gitLookup(namespace, name, rateVar(env.RATE_LIMIT_GIT));
  if (retryAfter !== undefined) {
    await request.body?.cancel().catch(() => {});
    return text(429, "Too many requests: this namespace is over its Git request rate; retry later", { "Retry-After": String(retryAfter) });
  }
  if (!rec || rec.status !== "ready") return notFound();
  const repo = env.REPO.get(env.REPO.idFromName(`${namespace}/${rec.id}`));

  const action = service === "git-receive-pack" ? "git.push" : "git.fetch";
  const presented = gitCredential(request);
  const grant = presented ? await repo.verifyToken(presented) : null;
  if (presented && !grant) {
    // A token this repo issued that has expired or was revoked: say so (403), so git shows it for Bearer and Basic alike.
    const refused = await repo.tokenRefusal(presented);
    if (refused) {
      info.principal = `repo-token:${refused.tokenId}`;
      await ns.audit({ principal: info.principal, action, resource: rec.name, outcome: "denied", detail: refused.reason });
      await request.body?.cancel().catch(() => {});
      return text(403, refused.reason);
    }
  }
  const principal: Principal = grant ? { kind: "repo-token", id: grant.tokenId, scope: grant.scope, namespace, repoId: rec.id } : { kind: "anonymous" };
  info.principal = principalLabel(principal);
  const d = authorize(principal, action, { namespace, repoId: rec.id, readOnly: rec.readOnly });
  if (!d.allow) {
    // Unauthenticated probes are normal (git retries with credentials); audit only real refusals.
    if (presented) await ns.audit({ principal: principalLabel(principal), action, resource: rec.name, outcome: "denied", detail: d.reason });
    return d.status === 401 ? unauthorized() : text(403, d.reason);
  }
  // A body over the limit is refused once the caller may know the repo exists and may use it
  // (contract §6.3): when its length is declared, here, unread; a chunked body is counted by the
  // engine as it streams (git then prints the unpack error).
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > gitBodyLimit(env)) {
    await request.body?.cancel().catch(() => {});
    return text(413, "Request body too large");
  }
  const headers = new Headers(request.headers);
  headers.delete("Authorization");
  headers.set(ACCESS_HEADER, action === "git.push" ? "write" : "read");
  headers.set(PRINCIPAL_HEADER, principalLabel(principal));
  const forwarded = new Request(`https://repo/${encodeURIComponent(rec.name)}.git/${sub}${url.search}`, {
    method: request.method,
    headers,
    ...(request.body ? { body: request.body } : {}),
  });
  return repo.fetch(forwarded);
}
