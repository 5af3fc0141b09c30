/**
 * One Durable Object for the account: the local REST API tokens (hashed, shown once) and the
 * list of namespaces with their repo counts. Written rarely (token admin, first repo in a
 * namespace); read once per REST request to authenticate.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.js";
import { nowIso, randomHex, randomId } from "../util/ids.js";
import { digestEqual, sha256Hex } from "../util/tokens.js";

export type ApiScope = "artifacts:read" | "artifacts:write";

export interface ApiTokenInfo {
  id: string;
  name: string;
  scopes: ApiScope[];
  namespace: string | null;
  allowIps: string[];
  status: "active" | "expired" | "revoked";
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface ApiTokenGrant {
  id: string;
  scopes: ApiScope[];
  namespace: string | null;
  allowIps: string[];
}

interface TokenRowSql {
  id: string;
  name: string;
  hash: string;
  scopes: string;
  namespace: string | null;
  allow_ips: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
  [k: string]: SqlStorageValue;
}

/** API tokens look like Cloudflare's: 40 characters; ours are recognisable by a prefix. */
export const API_TOKEN_PREFIX = "cfat_";

export class AccountObject extends DurableObject<Env> {
  private sql: SqlStorage;
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS api_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL, namespace TEXT, allow_ips TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER, revoked_at INTEGER, last_used_at INTEGER)`,
    );
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS namespaces (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, repo_count INTEGER NOT NULL DEFAULT 0, jurisdiction TEXT NOT NULL DEFAULT 'unrestricted')`,
    );
    // Added after the first release: the version of the namespace object's last count push.
    if (
      !this.sql
        .exec<{ name: string }>("SELECT name FROM pragma_table_info('namespaces')")
        .toArray()
        .some((c) => c.name === "count_version")
    )
      this.sql.exec("ALTER TABLE namespaces ADD COLUMN count_version INTEGER NOT NULL DEFAULT 0");
  }

  private info(r: TokenRowSql, now = Date.now()): ApiTokenInfo {
    return {
      id: r.id,
      name: r.name,
      scopes: JSON.parse(r.scopes) as ApiScope[],
      namespace: r.namespace,
      allowIps: JSON.parse(r.allow_ips) as string[],
      status: r.revoked_at !== null ? "revoked" : r.expires_at !== null && r.expires_at <= now ? "expired" : "active",
      createdAt: nowIso(r.created_at),
      expiresAt: r.expires_at === null ? null : nowIso(r.expires_at),
      lastUsedAt: r.last_used_at === null ? null : nowIso(r.last_used_at),
    };
  }

  async createApiToken(opts: {
    name: string;
    scopes: ApiScope[];
    namespace?: string | null;
    ttlSeconds?: number | null;
    allowIps?: string[];
  }): Promise<ApiTokenInfo & { value: string }> {
    const value = API_TOKEN_PREFIX + randomHex(20).slice(0, 35);
    const id = randomId(32);
    const now = Date.now();
    const expires = opts.ttlSeconds ? now + opts.ttlSeconds * 1000 : null;
    this.sql.exec(
      "INSERT INTO api_tokens (id, name, hash, scopes, namespace, allow_ips, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      id,
      opts.name,
      await sha256Hex(value),
      JSON.stringify(opts.scopes),
      opts.namespace ?? null,
      JSON.stringify(opts.allowIps ?? []),
      now,
      expires,
    );
    const row = this.sql.exec<TokenRowSql>("SELECT * FROM api_tokens WHERE id = ?", id).one();
    return { ...this.info(row), value };
  }

  async listApiTokens(): Promise<ApiTokenInfo[]> {
    return this.sql
      .exec<TokenRowSql>("SELECT * FROM api_tokens ORDER BY created_at DESC")
      .toArray()
      .map((r) => this.info(r));
  }

  async revokeApiToken(id: string): Promise<boolean> {
    return this.sql.exec("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", Date.now(), id).rowsWritten > 0;
  }

  /** Authenticate a presented API token: the grant, or why not (never the secret). */
  async verifyApiToken(
    value: string,
  ): Promise<{ ok: true; grant: ApiTokenGrant; info: ApiTokenInfo } | { ok: false; reason: "unknown" | "expired" | "revoked" }> {
    const hash = await sha256Hex(value);
    const row = this.sql.exec<TokenRowSql>("SELECT * FROM api_tokens WHERE hash = ?", hash).toArray()[0];
    if (!row || !digestEqual(row.hash, hash)) return { ok: false, reason: "unknown" };
    const info = this.info(row);
    if (info.status !== "active") return { ok: false, reason: info.status };
    this.sql.exec("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", Date.now(), row.id);
    return { ok: true, grant: { id: row.id, scopes: info.scopes, namespace: row.namespace, allowIps: info.allowIps }, info };
  }

  /**
   * A namespace object's repo count (it holds the truth; this is the copy the namespace list
   * shows). Absolute and versioned: an older or repeated push changes nothing.
   */
  async namespaceCount(name: string, count: number, version: number, createdAt: number, updatedAt: number): Promise<void> {
    this.sql.exec(
      "INSERT INTO namespaces (name, created_at, updated_at, repo_count, count_version) VALUES (?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET updated_at = max(updated_at, excluded.updated_at), repo_count = excluded.repo_count, count_version = excluded.count_version WHERE excluded.count_version > count_version",
      name,
      createdAt,
      updatedAt,
      count,
      version,
    );
  }

  async createNamespace(name: string, jurisdiction: string): Promise<boolean> {
    const now = Date.now();
    return (
      this.sql.exec(
        "INSERT OR IGNORE INTO namespaces (name, created_at, updated_at, repo_count, jurisdiction) VALUES (?, ?, ?, 0, ?)",
        name,
        now,
        now,
        jurisdiction,
      ).rowsWritten > 0
    );
  }

  /** Namespaces by name: after a keyset cursor (the last name seen) or from an offset (page-based clients). */
  async listNamespaces(limit: number, opts: { after?: string; offset?: number } = {}): Promise<{ namespaces: NamespaceInfo[]; more: boolean; total: number }> {
    const rows = this.sql
      .exec<NsRow>("SELECT * FROM namespaces WHERE name > ? ORDER BY name LIMIT ? OFFSET ?", opts.after ?? "", limit + 1, opts.offset ?? 0)
      .toArray();
    const total = this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM namespaces").one().n;
    return { namespaces: rows.slice(0, limit).map(nsInfo), more: rows.length > limit, total };
  }

  async getNamespace(name: string): Promise<NamespaceInfo | null> {
    const r = this.sql.exec<NsRow>("SELECT * FROM namespaces WHERE name = ?", name).toArray()[0];
    return r ? nsInfo(r) : null;
  }
}

export interface NamespaceInfo {
  namespace: string;
  repo_count: number;
  created_at: string;
  updated_at: string;
  jurisdiction: string;
}

interface NsRow {
  name: string;
  created_at: number;
  updated_at: number;
  repo_count: number;
  jurisdiction: string;
  [k: string]: SqlStorageValue;
}

function nsInfo(r: NsRow): NamespaceInfo {
  return { namespace: r.name, repo_count: r.repo_count, created_at: nowIso(r.created_at), updated_at: nowIso(r.updated_at), jurisdiction: r.jurisdiction };
}
