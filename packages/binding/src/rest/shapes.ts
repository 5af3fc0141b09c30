/**
 * The REST API's response shapes (snake_case, docs/contract.md "REST envelope"), built from the service's camelCase
 * values. The types are exported once here, for clients (the CLI, the dashboard) to share.
 */
import type { RepoMeta } from "../env.js";
import type { CreateRepoResult } from "../service.js";
import type { ApiTokenInfo } from "../auth/account-object.js";
import type { CommitMetadata } from "../repo/reads.js";
import { listedStatus } from "../namespace/namespace-object.js";

export function restInfo(m: RepoMeta & { status?: string }) {
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    default_branch: m.defaultBranch,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    last_push_at: m.lastPushAt,
    source: m.source,
    read_only: m.readOnly,
    status: listedStatus(m.status),
  };
}

/** The binding's camelCase commit metadata in the REST API's snake_case (docs/contract.md "REST envelope"). */
export function restCommit(m: CommitMetadata) {
  return {
    hash: m.hash,
    tree_hash: m.treeHash,
    message: m.message,
    author: m.author,
    committer: m.committer,
    parents: m.parents,
    authored_at: m.authoredAt,
    committed_at: m.committedAt,
  };
}

export function restApiToken(t: ApiTokenInfo & { value?: string }) {
  return {
    id: t.id,
    name: t.name,
    scopes: t.scopes,
    namespace: t.namespace,
    allow_ips: t.allowIps,
    status: t.status,
    created_at: t.createdAt,
    expires_at: t.expiresAt,
    last_used_at: t.lastUsedAt,
    ...(t.value !== undefined ? { value: t.value } : {}),
  };
}

export function pageInfo(page: number, perPage: number, count: number, total: number) {
  return { page, per_page: perPage, count, total_count: total, total_pages: Math.max(1, Math.ceil(total / perPage)) };
}

export const createResult = (r: CreateRepoResult) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  default_branch: r.defaultBranch,
  remote: r.remote,
  token: r.token,
});

export type RestRepo = ReturnType<typeof restInfo> & { remote: string };
export type RestCommit = ReturnType<typeof restCommit>;
export type RestApiToken = ReturnType<typeof restApiToken>;
export type RestPageInfo = ReturnType<typeof pageInfo>;
export type RestCreatedRepo = ReturnType<typeof createResult>;
