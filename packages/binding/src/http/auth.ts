/** Turning request credentials into a Principal (the policy in auth/policy.ts decides the rest). */
import type { Env } from "../env.js";
import type { Principal } from "../auth/policy.js";
import { digestEqual, sha256Hex } from "../util/tokens.js";
import { ipAllowed } from "../auth/cidr.js";

export function bearer(request: Request): string | undefined {
  const h = request.headers.get("Authorization") ?? "";
  return h.startsWith("Bearer ") ? h.slice(7).trim() : undefined;
}

/** Git accepts the token as Bearer or as the Basic password (any username; contract §6.2). */
export function gitCredential(request: Request): string | undefined {
  const h = request.headers.get("Authorization") ?? "";
  if (h.startsWith("Bearer ")) return h.slice(7).trim();
  if (/^basic /i.test(h)) {
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

export function clientIp(request: Request): string {
  return request.headers.get("CF-Connecting-IP") ?? request.headers.get("X-Forwarded-For")?.split(",")[0]?.trim() ?? "127.0.0.1";
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; status: 401 | 403; message: string };

/** REST credentials: the operator's ADMIN_TOKEN, or a local API token. */
export async function restPrincipal(env: Env, request: Request): Promise<AuthResult> {
  const token = bearer(request);
  if (!token) return { ok: false, status: 401, message: "Authentication error: missing Bearer token" };
  if (env.ADMIN_TOKEN && digestEqual(await sha256Hex(token), await sha256Hex(env.ADMIN_TOKEN))) return { ok: true, principal: { kind: "admin" } };
  const account = env.ACCOUNT.get(env.ACCOUNT.idFromName("account"));
  const v = await account.verifyApiToken(token);
  if (!v.ok) return { ok: false, status: 401, message: `Authentication error: ${v.reason === "unknown" ? "invalid" : v.reason} API token` };
  if (v.grant.allowIps.length > 0 && !ipAllowed(clientIp(request), v.grant.allowIps)) return { ok: false, status: 403, message: "Authentication error: this API token may not be used from your IP address" };
  return { ok: true, principal: { kind: "api-token", id: v.grant.id, scopes: v.grant.scopes, namespace: v.grant.namespace } };
}
