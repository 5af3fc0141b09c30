/**
 * Every Principal is built here, for the three credential kinds and the binding: REST (API token
 * or ADMIN_TOKEN), Git (a repo token, checked by the repo object against its own hashes) and the
 * env.ARTIFACTS binding. The policy in auth/policy.ts decides the rest.
 */
import type { Env } from "../env.js";
import type { Principal } from "./policy.js";
import { digestEqual, sha256Hex, tokenSecret } from "../util/tokens.js";
import { Refused } from "../errors.js";
import { ipAllowed } from "./cidr.js";
import { CF } from "../rest/envelope.js";
import { AccountService } from "../account-service.js";

/** The Bearer credential, if any. Authentication schemes are case-insensitive (RFC 9110 §11.1). */
export function bearer(request: Request): string | undefined {
  const m = /^bearer[ \t]+(.+)$/i.exec(request.headers.get("Authorization") ?? "");
  const t = m?.[1]?.trim();
  return t ? t : undefined;
}

/** Git accepts the token as Bearer or as the Basic password (any username; docs/contract.md "Git authentication"). */
export function gitCredential(request: Request): string | undefined {
  const h = request.headers.get("Authorization") ?? "";
  const b = bearer(request);
  if (b) return b;
  if (/^basic[ \t]/i.test(h)) {
    try {
      const decoded = atob(h.slice(6).trim());
      const i = decoded.indexOf(":");
      return i >= 0 ? decoded.slice(i + 1) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The client's address. Deployed, Cloudflare's edge sets `CF-Connecting-IP` (a client's own value
 * never survives the edge). Under the emulator a client-sent one would pass through Miniflare, so
 * the emulator sets CLIENT_ADDRESS from the socket it listens on instead: its loopback address, or
 * "unknown" on other hosts (docs/contract-choices.md). X-Forwarded-For is never consulted.
 */
export function clientIp(request: Request, env: Pick<Env, "CLIENT_ADDRESS"> = {}): string | undefined {
  if (env.CLIENT_ADDRESS !== undefined) return env.CLIENT_ADDRESS === "unknown" ? undefined : env.CLIENT_ADDRESS;
  return request.headers.get("CF-Connecting-IP")?.trim() || undefined;
}

/** REST credentials: the operator's ADMIN_TOKEN, or a local API token. Messages never echo the credential. */
export async function restPrincipal(env: Env, request: Request): Promise<Principal | Refused> {
  const token = bearer(request);
  if (!token) return new Refused(401, CF.AUTH, "Authentication error: missing Authorization: Bearer <API token> header");
  const digest = await sha256Hex(token);
  if (env.ADMIN_TOKEN && digestEqual(digest, await sha256Hex(env.ADMIN_TOKEN))) return { kind: "admin" };
  if (tokenSecret(token))
    return new Refused(401, CF.AUTH, "Authentication error: Artifacts repository tokens only work with Git; use an API token for the REST API");
  const account = new AccountService(env);
  const v = await account.verifyApiToken(token);
  if (!v.ok) return new Refused(401, CF.AUTH, `Authentication error: ${v.reason === "unknown" ? "invalid" : v.reason} API token`);
  if (v.grant.allowIps.length > 0) {
    const ip = clientIp(request, env);
    if (!ip || !ipAllowed(ip, v.grant.allowIps)) return new Refused(403, CF.IP_FILTER, `Cannot use the access token from location: ${ip ?? "unknown"}`);
  }
  return { kind: "api-token", id: v.grant.id, scopes: v.grant.scopes, namespace: v.grant.namespace };
}

/** The env.ARTIFACTS binding: full access to the namespace it is bound to. */
export function bindingPrincipal(namespace: string): Principal {
  return { kind: "binding", namespace };
}

/** A Git request's principal: the repo token's grant, or anonymous when none was valid. */
export function gitPrincipal(grant: { tokenId: string; scope: "read" | "write" } | null, repo: { namespace: string; id: string }): Principal {
  return grant ? { kind: "repo-token", id: grant.tokenId, scope: grant.scope, namespace: repo.namespace, repoId: repo.id } : { kind: "anonymous" };
}
