/**
 * Git remotes at /git/<namespace>/<repo>.git (docs/contract.md "Git over HTTP"). Order (docs/contract.md "Git request checks"): route and method (404
 * for anything but the four smart-HTTP requests) → repo lookup (404 before authentication) →
 * repo token (401 with a Basic challenge so git reports an authentication failure; 403 naming the
 * reason for an expired or revoked token of this repo, docs/contract-choices.md) → policy (403
 * for read tokens pushing and read-only repos) → declared body size (413) → the engine. Everything
 * after the lookup happens in one call to the repo's Durable Object (`serveGit`).
 */
import type { Env } from "../env.js";
import { gitCredential } from "../auth/principals.js";
import { gitLookup, serveGit } from "../git-service.js";
import { gitNotFound, gitText } from "./git-text.js";
import { log, redact, type RequestInfo } from "../util/log.js";

const GIT_PATH = /^\/git\/([^/]+)\/([^/]+?)\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/;

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
    return gitText(500, "Internal error");
  }
}

async function routeGit(request: Request, env: Env, info: RequestInfo): Promise<Response> {
  const url = new URL(request.url);
  const m = GIT_PATH.exec(url.pathname);
  if (!m) return gitNotFound();
  const sub = m[3]!;
  const service = sub === "info/refs" ? url.searchParams.get("service") : sub;
  if (service !== "git-upload-pack" && service !== "git-receive-pack") return gitNotFound();
  // Only GET info/refs and POST to the two services exist; any other method is a route that does
  // not exist, so 404 like the rest (docs/contract-choices.md "Git endpoints: methods").
  if (request.method !== (sub === "info/refs" ? "GET" : "POST")) {
    await request.body?.cancel().catch(() => {});
    return gitNotFound();
  }
  info.route = sub === "info/refs" ? `/git/:ns/:repo.git/info/refs?service=${service}` : `/git/:ns/:repo.git/${sub}`;
  let namespace: string;
  let name: string;
  try {
    namespace = decodeURIComponent(m[1]!);
    name = decodeURIComponent(m[2]!);
  } catch {
    return gitNotFound();
  }
  info.namespace = namespace;
  info.repo = name;
  // Two Durable Object calls in all: this lookup (git-service.ts says why it stays), then serveGit.
  const { record: rec, retryAfter } = await gitLookup(env, namespace, name);
  if (retryAfter !== undefined) {
    await request.body?.cancel().catch(() => {});
    return gitText(429, "Too many requests: this namespace is over its Git request rate; retry later", { "Retry-After": String(retryAfter) });
  }
  if (!rec || rec.status !== "ready") return gitNotFound();
  const credential = gitCredential(request) ?? null;
  const headers = new Headers(request.headers);
  headers.delete("Authorization");
  const forwarded = new Request(`https://repo/${encodeURIComponent(rec.name)}.git/${sub}${url.search}`, {
    method: request.method,
    headers,
    ...(request.body ? { body: request.body } : {}),
  });
  // The one repo-object call: token check, policy, body limit and the engine (repo-object.ts).
  const { response, principal } = await serveGit(env, namespace, rec.id, forwarded, credential);
  info.principal = principal;
  return response;
}
