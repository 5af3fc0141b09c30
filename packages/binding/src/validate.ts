/** Input rules of the contract (docs/contract.md "Names", "Namespace methods", "Repo handle"), as pure functions that throw ArtifactsError. */
import { invalidInput, invalidRepoName, ArtifactsError } from "./errors.js";
import { isTokenShaped } from "./util/tokens.js";
import { isValidName } from "./names.js";

export { NAME_RE, MAX_NAME_LENGTH, isValidName } from "./names.js";

export function checkRepoName(name: unknown): string {
  if (!isValidName(name)) throw invalidRepoName();
  return name;
}

export function checkNamespaceName(name: unknown): string {
  if (!isValidName(name)) throw invalidInput("Invalid namespace name.");
  return name;
}

/** Branch names as the official simulator checks them for setDefaultBranch. */
export function isValidBranchName(b: string): boolean {
  if (b.length < 1 || b.length > 256) return false;
  if (b.startsWith("-") || b.startsWith(".")) return false;
  if (b.endsWith("/") || b.endsWith(".") || b.endsWith(".lock")) return false;
  if (b === "@" || b.includes("..") || b.includes("//") || b.includes("@{")) return false;
  if (b.split("/").some((s) => s.startsWith("."))) return false;
  for (const ch of b) if (ch.charCodeAt(0) <= 32 || "~^:?*[\\".includes(ch)) return false;
  return true;
}

/**
 * Optional arguments: only `undefined` means "not given", as in the simulator; `null` is a value
 * and must have the right type like any other (docs/contract-choices.md).
 */
export function optObject(opts: unknown, what: string): Record<string, unknown> {
  if (opts === undefined) return {};
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) throw invalidInput(`${what} must be an object`);
  return opts as Record<string, unknown>;
}

export function optBoolean(v: unknown, message: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "boolean") throw invalidInput(message);
  return v;
}

export function optString(v: unknown, message: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw invalidInput(message);
  return v;
}

/** Options of create (and the repo options of fork and import), with the simulator's messages. */
export function checkRepoOptions(opts: unknown): { readOnly?: boolean; description?: string; setDefaultBranch?: string; defaultBranchOnly?: boolean } {
  const o = optObject(opts, "Artifacts repository options");
  const description = optString(o.description, "Artifacts repository description must be a string");
  const readOnly = optBoolean(o.readOnly, "Artifacts repository readOnly must be a boolean");
  const setDefaultBranch = optString(o.setDefaultBranch, "Artifacts default branch is invalid");
  if (setDefaultBranch !== undefined && !isValidBranchName(setDefaultBranch)) throw invalidInput("Artifacts default branch is invalid");
  const defaultBranchOnly = optBoolean(o.defaultBranchOnly, "Artifacts defaultBranchOnly must be a boolean");
  return {
    ...(description !== undefined ? { description } : {}),
    ...(readOnly !== undefined ? { readOnly } : {}),
    ...(setDefaultBranch !== undefined ? { setDefaultBranch } : {}),
    ...(defaultBranchOnly !== undefined ? { defaultBranchOnly } : {}),
  };
}

export function checkHash(hash: unknown): string {
  if (!hash) throw invalidInput("Invalid hash: hash required.");
  if (typeof hash !== "string" || !/^[0-9a-f]{40}$/.test(hash)) throw invalidInput("Invalid hash: expected a 40-character SHA-1 hex hash.");
  return hash;
}

export const TTL_DEFAULT = 86_400;
export const TTL_MIN = 60;
export const TTL_MAX = 31_536_000;

export function checkTtl(ttl: unknown): number {
  if (ttl === undefined) return TTL_DEFAULT;
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < TTL_MIN || ttl > TTL_MAX)
    throw new ArtifactsError("INVALID_TTL", `Invalid TTL ${String(ttl)}: must be between ${TTL_MIN} and ${TTL_MAX} seconds.`);
  return ttl;
}

export function checkScope(scope: unknown): "read" | "write" {
  if (scope === undefined) return "write";
  if (scope !== "read" && scope !== "write") throw invalidInput("Artifacts token scope must be read or write");
  return scope;
}

export function checkListLimit(limit: unknown, def = 50): number {
  if (limit === undefined || limit === null) return def;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > 200) throw invalidInput("Invalid limit: must be between 1 and 200.");
  return limit;
}

export function checkLogOpts(opts: unknown): { ref: string; limit: number; offset: number } {
  const o = optObject(opts, "Artifacts log options");
  const ref = o.ref === undefined ? "HEAD" : o.ref;
  // An empty string is a ref that resolves to nothing: log returns [] (as the simulator does).
  if (typeof ref !== "string") throw invalidInput("Invalid ref: must be a string.");
  let limit = 50;
  if (o.limit !== undefined) {
    if (typeof o.limit !== "number" || !Number.isInteger(o.limit) || o.limit < 1) throw invalidInput("Invalid limit: must be a positive integer.");
    limit = Math.min(o.limit, 1000); // docs/contract.md "Repo handle": silently capped
  }
  let offset = 0;
  if (o.offset !== undefined) {
    if (typeof o.offset !== "number" || !Number.isInteger(o.offset) || o.offset < 0) throw invalidInput("Invalid offset: must be a non-negative integer.");
    offset = o.offset;
  }
  return { ref, limit, offset };
}

/** A revokeToken argument: a 16-character token id or a well-formed token (docs/contract.md "Repo handle", "Repo tokens"). */
export function checkTokenOrId(v: unknown): string {
  if (typeof v !== "string" || !(TOKEN_ID_RE.test(v) || isTokenShaped(v))) throw invalidInput("Invalid tokenOrId: must be a token id or artifact token.");
  return v;
}
export const TOKEN_ID_RE = /^[0-9a-z]{16}$/;

/** readFile's arguments (docs/contract.md "Repo handle"): a non-empty ref and path. */
export function checkFileArgs(args: unknown): { ref: string; path: string } {
  const a = (args ?? {}) as { ref?: unknown; path?: unknown };
  if (typeof a.ref !== "string" || a.ref === "") throw invalidInput("Invalid ref: ref required.");
  if (typeof a.path !== "string" || a.path === "") throw invalidInput("Invalid path: path required.");
  return { ref: a.ref, path: a.path };
}

/** readFile path normalisation (docs/contract.md "Repo handle"): undefined means "return null". */
export function normalizePath(path: string): string | undefined {
  const parts = path.split("/").filter((s) => s !== "" && s !== ".");
  if (parts.length === 0 || parts.includes("..")) return undefined;
  return parts.join("/");
}

/** Scopes of a repo token (docs/contract.md "Repo handle") and of a local REST API token (docs/contract-choices.md). */
export const REPO_TOKEN_SCOPES = ["read", "write"] as const;
export const API_TOKEN_SCOPES = ["artifacts:read", "artifacts:write"] as const;
export const API_TOKEN_TTL_MIN = 60;

export function checkApiTokenScopes(scopes: unknown): Array<(typeof API_TOKEN_SCOPES)[number]> {
  const list = (Array.isArray(scopes) ? scopes : ["artifacts:read"]) as unknown[];
  if (list.length === 0 || list.some((s) => !(API_TOKEN_SCOPES as readonly unknown[]).includes(s)))
    throw invalidInput("Invalid scopes: use artifacts:read and/or artifacts:write.");
  return [...new Set(list)] as Array<(typeof API_TOKEN_SCOPES)[number]>;
}

/** An API token's lifetime: null (no expiry) or whole seconds, at least API_TOKEN_TTL_MIN. */
export function checkApiTokenTtl(ttl: unknown): number | null {
  if (ttl === undefined || ttl === null) return null;
  if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < API_TOKEN_TTL_MIN)
    throw invalidInput(`Invalid ttl: must be an integer of at least ${API_TOKEN_TTL_MIN} seconds.`);
  return ttl;
}

export { isValidCidr } from "./auth/cidr.js";
