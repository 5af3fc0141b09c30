import type { RepoObject } from "./repo/repo-object.js";
import type { NamespaceObject } from "./namespace/namespace-object.js";
import type { AccountObject } from "./auth/account-object.js";

export interface Env {
  REPO: DurableObjectNamespace<RepoObject>;
  NAMESPACE: DurableObjectNamespace<NamespaceObject>;
  ACCOUNT: DurableObjectNamespace<AccountObject>;
  /** Origin used in `remote` URLs when there is no request to take it from (the binding). */
  PUBLIC_ORIGIN?: string;
  /** Account id shown in REST paths and events; any id is accepted when unset. */
  ACCOUNT_ID?: string;
  /** Namespace for the default export's binding methods (createTestHarness names Workers only). */
  NAMESPACE_NAME?: string;
  /** An operator secret for the admin routes (API token management). */
  ADMIN_TOKEN?: string;
  /** Days to keep audit entries and events (default 7). */
  AUDIT_RETENTION_DAYS?: string;
  /** Largest Git request body in bytes (default 256 MiB). */
  MAX_GIT_BODY_BYTES?: string;
  /** Stored bytes per repository (default 1 GiB; 10 GiB for repos created before 2026-09-29). */
  MAX_REPO_BYTES?: string;
  /** Largest object a push, import or fork may bring (default 32 MiB). */
  MAX_PUSH_OBJECT_BYTES?: string;
  /** Git requests per namespace, "N/seconds" (default "2000/10"); "off" means no limit. */
  RATE_LIMIT_GIT?: string;
  /** REST requests per namespace, "N/seconds" (default "2000/10"); "off" means no limit. */
  RATE_LIMIT_API?: string;
  /**
   * Every client's address, set by the emulator from the socket it listens on (its loopback
   * address, or "unknown"); unset when deployed, where Cloudflare's CF-Connecting-IP is used.
   */
  CLIENT_ADDRESS?: string;
  /**
   * Which addresses an import may connect to besides public ones: "none" (default), "loopback"
   * (the emulator's default) or "private" (loopback, private and link-local ranges too).
   */
  IMPORT_ALLOW_ADDRESSES?: string;
  /** DNS-over-HTTPS endpoint (JSON API) used to resolve import hosts (default Cloudflare's). */
  IMPORT_DNS_URL?: string;
  /** "off" silences the one-line-per-request JSON log; "no-git" leaves out Git requests. */
  REQUEST_LOG?: string;
  /** "text": the request line as short text (for a terminal) instead of JSON. */
  REQUEST_LOG_FORMAT?: string;
}

export interface RepoMeta {
  id: string;
  name: string;
  namespace: string;
  description: string | null;
  defaultBranch: string;
  createdAt: string;
  updatedAt: string;
  lastPushAt: string | null;
  source: string | null;
  readOnly: boolean;
}
