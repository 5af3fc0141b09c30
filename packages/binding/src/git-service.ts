/**
 * The service side of a Git request: two Durable Object calls. The namespace's registry maps the
 * name to the id the repo object is keyed by and holds the namespace's Git rate window, so it is
 * asked first (a repo object cannot find itself by name, and a per-namespace rate cannot live in
 * one repo's object). Then one call to the repo object checks the token, authorizes with
 * auth/policy.ts and serves (RepoObject.serveGit).
 */
import type { Env } from "./env.js";
import { rateVar } from "./limits.js";
import { namespaceStub, repoStub } from "./stubs.js";

export function gitLookup(env: Env, namespace: string, name: string) {
  return namespaceStub(env, namespace).gitLookup(namespace, name, rateVar(env.RATE_LIMIT_GIT));
}

/** `request` without its Authorization header; `credential` is the token it carried, if any. */
export function serveGit(env: Env, namespace: string, repoId: string, request: Request, credential: string | null) {
  return repoStub(env, namespace, repoId).serveGit(request, credential);
}
