/**
 * The public REST API (the same routes the CLI, wrangler and the SDK call), with the session's
 * Bearer credential. Nothing else: the dashboard has no private data endpoints.
 */
import { clearSession, session } from "./session.js";

export interface ResultInfo {
  cursor?: string;
  per_page?: number;
  count?: number;
  total_count?: number;
  page?: number;
  total_pages?: number;
}
export interface Envelope<T> {
  result: T;
  result_info?: ResultInfo;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

export const enc = encodeURIComponent;

export function restBase(): string {
  return `/client/v4/accounts/${enc(session().account)}/artifacts`;
}

function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${session().token}`, ...extra };
}

async function errorFrom(res: Response): Promise<ApiError> {
  let message = `HTTP ${res.status} ${res.statusText}`.trim();
  let code: number | undefined;
  try {
    const j = (await res.json()) as { errors?: Array<{ code: number; message: string }> };
    const e = j.errors?.[0];
    if (e) {
      message = e.message;
      code = e.code;
    }
  } catch {
    // not JSON
  }
  if (res.status === 401) clearSession("Your session has ended: the credential was refused (" + message + ").");
  return new ApiError(res.status, message, code);
}

/** A v4 envelope call under the artifacts base (or an absolute /client/v4 path). */
export async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Envelope<T>> {
  const url = path.startsWith("/client/") ? path : restBase() + path;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: authHeaders(body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...(signal ? { signal } : {}),
      cache: "no-store",
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "Cannot reach the emulator. Is it still running?");
  }
  if (!res.ok) throw await errorFrom(res);
  const j = (await res.json()) as { success: boolean; result: T; result_info?: ResultInfo; errors?: Array<{ code: number; message: string }> };
  if (!j.success) throw new ApiError(res.status, j.errors?.[0]?.message ?? "Request failed", j.errors?.[0]?.code);
  return { result: j.result, ...(j.result_info ? { result_info: j.result_info } : {}) };
}

export const get = <T>(path: string, signal?: AbortSignal) => call<T>("GET", path, undefined, signal).then((e) => e.result);

/** Objects named by their hash never change: one fetch per page load (trees and commits for diffs and walks). */
const immutable = new Map<string, Promise<unknown>>();
export function getImmutable<T>(path: string): Promise<T> {
  const key = `${session().account}|${path}`;
  let p = immutable.get(key) as Promise<T> | undefined;
  if (!p) {
    p = get<T>(path);
    immutable.set(key, p);
    p.catch(() => immutable.delete(key));
    if (immutable.size > 5000) immutable.delete(immutable.keys().next().value!);
  }
  return p;
}

/** A byte route (blob, file, raw): the Response itself, or an ApiError. */
export async function bytes(path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(restBase() + path, { ...init, headers: authHeaders() });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "Cannot reach the emulator. Is it still running?");
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

// ── shapes (snake_case, as the REST API answers) ─────────────────────────────
export interface Namespace {
  namespace: string;
  repo_count: number;
  created_at: string;
  updated_at: string;
  jurisdiction: string;
}
export interface Repo {
  id: string;
  name: string;
  description: string | null;
  default_branch: string;
  created_at: string;
  updated_at: string;
  last_push_at: string | null;
  source: string | null;
  read_only: boolean;
  status: string;
  remote: string;
}
export interface CreatedRepo {
  id: string;
  name: string;
  description: string | null;
  default_branch: string;
  remote: string;
  token: string;
}
export interface Commit {
  hash: string;
  tree_hash: string;
  message: string;
  author: { name: string; email: string };
  committer: { name: string; email: string };
  parents: string[];
  authored_at: number;
  committed_at: number;
}
export interface TreeEntry {
  name: string;
  mode: string;
  hash: string;
  type: "tree" | "blob" | "symlink" | "gitlink" | "exec";
}
export interface Refs {
  head: string;
  refs: Array<{ name: string; oid: string }>;
}
export interface Stats {
  objects: number;
  bytes: number;
  refs: number;
}
export interface RepoToken {
  id: string;
  scope: "read" | "write";
  state: "active" | "expired" | "revoked";
  created_at: string;
  expires_at: string;
}
export interface MintedRepoToken {
  id: string;
  plaintext: string;
  scope: "read" | "write";
  expires_at: string;
}
export interface ApiToken {
  id: string;
  name: string;
  scopes: string[];
  namespace: string | null;
  allow_ips: string[];
  status: "active" | "expired" | "revoked";
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  value?: string;
}
export interface AuditEntry {
  seq: number;
  at: string;
  principal: string;
  action: string;
  resource: string;
  outcome: "ok" | "denied" | "error";
  detail?: string;
}
export interface EventRecord {
  seq: number;
  event: {
    type: string;
    source: { type: string; namespace: string; repoName: string };
    payload: Record<string, unknown>;
    metadata: { accountId: string; eventTimestamp: string };
  };
}
