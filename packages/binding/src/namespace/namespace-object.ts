/**
 * One Durable Object per namespace: the registry of its repositories (names are unique without
 * regard to case), the audit log and the event log. It is the single writer for name
 * uniqueness; listing uses keyset pagination over indexed columns and a maintained count, so a
 * page costs the same at 100 and at 100,000 repos (docs/architecture.md).
 */
import { DurableObject } from "cloudflare:workers";
import type { Env, RepoMeta } from "../env.js";
import { ArtifactsError, alreadyExists } from "../errors.js";
import { nowIso } from "../util/ids.js";
import { deliverEvent, eventEnvelope, type EventType } from "./events.js";

export type RepoStatus = "creating" | "ready" | "deleting";
export interface RepoRecord extends RepoMeta {
  status: RepoStatus;
}

export interface AuditEntry {
  principal: string;
  action: string;
  resource: string;
  outcome: "ok" | "denied" | "error";
  detail?: string;
}

export type SortKey = "created_at" | "updated_at" | "last_push_at" | "name";

interface Row {
  id: string;
  name: string;
  status: string;
  description: string | null;
  default_branch: string;
  read_only: number;
  source: string | null;
  created_at: number;
  updated_at: number;
  last_push_at: number | null;
  [k: string]: SqlStorageValue;
}

const DAY = 86_400_000;

export class NamespaceObject extends DurableObject<Env> {
  private sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      for (const s of [
        `CREATE TABLE IF NOT EXISTS repos (id TEXT PRIMARY KEY, name TEXT NOT NULL, name_lower TEXT NOT NULL UNIQUE, status TEXT NOT NULL, description TEXT, default_branch TEXT NOT NULL, read_only INTEGER NOT NULL, source TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, last_push_at INTEGER, status_at INTEGER NOT NULL)`,
        `CREATE INDEX IF NOT EXISTS repos_created ON repos(created_at, id)`,
        `CREATE INDEX IF NOT EXISTS repos_updated ON repos(updated_at, id)`,
        `CREATE INDEX IF NOT EXISTS repos_pushed ON repos(last_push_at, id)`,
        `CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, principal TEXT NOT NULL, action TEXT NOT NULL, resource TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT)`,
        `CREATE INDEX IF NOT EXISTS audit_at ON audit(at)`,
        `CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, type TEXT NOT NULL, repo TEXT NOT NULL, body TEXT NOT NULL)`,
        `CREATE INDEX IF NOT EXISTS events_at ON events(at)`,
        `CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT)`,
        `CREATE TABLE IF NOT EXISTS token_index (token_id TEXT PRIMARY KEY, repo_id TEXT NOT NULL)`,
        `CREATE INDEX IF NOT EXISTS token_index_repo ON token_index(repo_id)`,
      ])
        this.sql.exec(s);
      if ((await ctx.storage.getAlarm()) === null) await ctx.storage.setAlarm(Date.now() + 60 * 60 * 1000);
    });
  }

  private kv(k: string): string | undefined {
    return this.sql.exec<{ v: string }>("SELECT v FROM kv WHERE k = ?", k).toArray()[0]?.v;
  }
  private setKv(k: string, v: string) {
    this.sql.exec("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, v);
  }
  private count(): number {
    return Number(this.kv("count") ?? "0");
  }
  private addCount(d: number) {
    this.setKv("count", String(this.count() + d));
  }

  private toRecord(r: Row, namespace: string): RepoRecord {
    return {
      id: r.id,
      name: r.name,
      namespace,
      description: r.description,
      defaultBranch: r.default_branch,
      createdAt: nowIso(r.created_at),
      updatedAt: nowIso(r.updated_at),
      lastPushAt: r.last_push_at === null ? null : nowIso(r.last_push_at),
      source: r.source,
      readOnly: r.read_only === 1,
      status: r.status as RepoStatus,
    };
  }

  /** The namespace's own name (set on first use; DO ids are derived from it). */
  private namespaceName(): string {
    return this.kv("name") ?? "";
  }

  async summary(): Promise<{ namespace: string; repoCount: number; createdAt: string | null; updatedAt: string | null }> {
    const created = this.kv("created_at");
    const updated = this.kv("updated_at");
    return { namespace: this.namespaceName(), repoCount: this.count(), createdAt: created ? nowIso(Number(created)) : null, updatedAt: updated ? nowIso(Number(updated)) : null };
  }

  private touch(namespace: string) {
    const now = String(Date.now());
    if (!this.kv("name")) this.setKv("name", namespace);
    if (!this.kv("created_at")) this.setKv("created_at", now);
    this.setKv("updated_at", now);
  }

  /**
   * Phase 1 of create/fork/import: claim the name with status "creating". A record left
   * "deleting" by a crash is finished off first (contract §3.2 delete).
   */
  async reserve(namespace: string, meta: RepoMeta): Promise<{ staleId?: string }> {
    const existing = this.sql.exec<Row>("SELECT * FROM repos WHERE name_lower = ?", meta.name.toLowerCase()).toArray()[0];
    let staleId: string | undefined;
    if (existing) {
      const stale = existing.status === "deleting" || (existing.status === "creating" && Date.now() - Number(existing.status_at) > 10 * 60 * 1000);
      if (!stale) throw alreadyExists(meta.name);
      staleId = existing.id;
      this.sql.exec("DELETE FROM repos WHERE id = ?", existing.id);
      if (existing.status !== "deleting") this.addCount(-1);
    }
    const t = Date.parse(meta.createdAt);
    this.ctx.storage.transactionSync(() => {
      this.touch(namespace);
      this.sql.exec(
        "INSERT INTO repos (id, name, name_lower, status, description, default_branch, read_only, source, created_at, updated_at, last_push_at, status_at) VALUES (?, ?, ?, 'creating', ?, ?, ?, ?, ?, ?, NULL, ?)",
        meta.id, meta.name, meta.name.toLowerCase(), meta.description, meta.defaultBranch, meta.readOnly ? 1 : 0, meta.source, t, t, Date.now(),
      );
      this.addCount(1);
    });
    return staleId ? { staleId } : {};
  }

  /** Phase 2: the repo's Durable Object is initialised; the repo becomes visible. */
  async activate(id: string): Promise<void> {
    this.sql.exec("UPDATE repos SET status = 'ready', status_at = ? WHERE id = ?", Date.now(), id);
  }

  /** Creation failed: forget the reservation. */
  async release(id: string): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      const n = this.sql.exec("DELETE FROM repos WHERE id = ? AND status = 'creating'", id).rowsWritten;
      if (n) this.addCount(-1);
    });
  }

  async lookup(namespace: string, name: string): Promise<RepoRecord | null> {
    const r = this.sql.exec<Row>("SELECT * FROM repos WHERE name_lower = ?", name.toLowerCase()).toArray()[0];
    return r ? this.toRecord(r, namespace) : null;
  }

  /** Delete phase 1: hide the repo. Returns its record, or null if there is no such repo. */
  async markDeleting(namespace: string, name: string): Promise<RepoRecord | null> {
    const r = this.sql.exec<Row>("SELECT * FROM repos WHERE name_lower = ? AND status <> 'deleting'", name.toLowerCase()).toArray()[0];
    if (!r) return null;
    if (r.status === "creating") throw new ArtifactsError("CREATE_IN_PROGRESS", `Repository is still being created: ${r.name}.`);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("UPDATE repos SET status = 'deleting', status_at = ? WHERE id = ?", Date.now(), r.id);
      this.addCount(-1);
      this.touch(namespace);
    });
    return this.toRecord(r, namespace);
  }

  /** Delete phase 2: the repo's storage is gone; drop the record and its token index. */
  async remove(id: string): Promise<void> {
    this.sql.exec("DELETE FROM repos WHERE id = ? AND status = 'deleting'", id);
    this.sql.exec("DELETE FROM token_index WHERE repo_id = ?", id);
  }

  /** REST revokes tokens by id alone (contract §5.3 route 9): remember which repo holds each. */
  async indexToken(tokenId: string, repoId: string): Promise<void> {
    this.sql.exec("INSERT OR REPLACE INTO token_index (token_id, repo_id) VALUES (?, ?)", tokenId, repoId);
  }

  async tokenRepo(tokenId: string): Promise<string | null> {
    return this.sql.exec<{ repo_id: string }>("SELECT repo_id FROM token_index WHERE token_id = ?", tokenId).toArray()[0]?.repo_id ?? null;
  }

  async list(namespace: string, opts: { limit: number; cursor?: string; search?: string; sort?: SortKey; direction?: "asc" | "desc" }): Promise<{ repos: RepoRecord[]; total: number; cursor?: string }> {
    const sort = opts.sort ?? "created_at";
    const dir = opts.direction ?? "desc";
    const col = sort === "name" ? "name_lower" : sort === "last_push_at" ? "coalesce(last_push_at, 0)" : sort;
    const cmp = dir === "desc" ? "<" : ">";
    const where = ["status = 'ready'"];
    const args: SqlStorageValue[] = [];
    if (opts.search) {
      where.push("instr(name_lower, ?) > 0");
      args.push(opts.search.toLowerCase());
    }
    const c = decodeCursor(opts.cursor);
    if (c) {
      where.push(`(${col} ${cmp} ? OR (${col} = ? AND id ${cmp} ?))`);
      args.push(c.v, c.v, c.id);
    }
    const rows = this.sql.exec<Row & { sortv: SqlStorageValue }>(`SELECT *, ${col} AS sortv FROM repos WHERE ${where.join(" AND ")} ORDER BY ${col} ${dir}, id ${dir} LIMIT ?`, ...args, opts.limit + 1).toArray();
    const more = rows.length > opts.limit;
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    const total = opts.search ? this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM repos WHERE status = 'ready' AND instr(name_lower, ?) > 0", opts.search.toLowerCase()).one().n : this.count();
    return { repos: page.map((r) => this.toRecord(r, namespace)), total, ...(more && last ? { cursor: encodeCursor(last.sortv, last.id) } : {}) };
  }

  /** A push changed refs: keep the listing's timestamps current, audit and emit `pushed`. */
  async repoPushed(meta: RepoMeta, updates: Array<Record<string, unknown>>, principal: string): Promise<void> {
    this.sql.exec("UPDATE repos SET updated_at = ?, last_push_at = ? WHERE id = ?", Date.parse(meta.updatedAt), Date.parse(meta.lastPushAt ?? meta.updatedAt), meta.id);
    this.auditNow({ principal, action: "git.push", resource: meta.name, outcome: "ok", detail: updates.map((u) => `${u.ref} ${String(u.before).slice(0, 7)}..${String(u.after).slice(0, 7)}`).join("; ") });
    for (const u of updates) await this.emit("cf.artifacts.repo.pushed", meta, u);
  }

  async repoFetched(meta: RepoMeta, kind: "cloned" | "fetched", principal: string): Promise<void> {
    this.auditNow({ principal, action: kind === "cloned" ? "git.clone" : "git.fetch", resource: meta.name, outcome: "ok" });
    await this.emit(kind === "cloned" ? "cf.artifacts.repo.cloned" : "cf.artifacts.repo.fetched", meta, {});
  }

  async audit(e: AuditEntry): Promise<void> {
    this.auditNow(e);
  }

  private auditNow(e: AuditEntry) {
    this.sql.exec("INSERT INTO audit (at, principal, action, resource, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)", Date.now(), e.principal, e.action, e.resource, e.outcome, e.detail ?? null);
  }

  async listAudit(opts: { since?: number; until?: number; principal?: string; action?: string; limit: number; before?: number }): Promise<Array<AuditEntry & { seq: number; at: string }>> {
    const where: string[] = [];
    const args: SqlStorageValue[] = [];
    if (opts.since !== undefined) where.push("at >= ?"), args.push(opts.since);
    if (opts.until !== undefined) where.push("at <= ?"), args.push(opts.until);
    if (opts.principal) where.push("principal = ?"), args.push(opts.principal);
    if (opts.action) where.push("(action = ? OR action LIKE ?)"), args.push(opts.action, `${opts.action}.%`);
    if (opts.before !== undefined) where.push("seq < ?"), args.push(opts.before);
    return this.sql
      .exec<{ seq: number; at: number; principal: string; action: string; resource: string; outcome: string; detail: string | null }>(`SELECT * FROM audit ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY seq DESC LIMIT ?`, ...args, opts.limit)
      .toArray()
      .map((r) => ({ seq: r.seq, at: nowIso(r.at), principal: r.principal, action: r.action, resource: r.resource, outcome: r.outcome as AuditEntry["outcome"], ...(r.detail ? { detail: r.detail } : {}) }));
  }

  /** Record an event (readable through the REST API) and deliver it to configured subscribers. */
  async emit(type: EventType, meta: RepoMeta, payload: Record<string, unknown>, sourceOverride?: { namespace: string; repoName: string }): Promise<void> {
    const env = eventEnvelope(type, meta, payload, this.env.ACCOUNT_ID ?? "local", sourceOverride);
    this.sql.exec("INSERT INTO events (at, type, repo, body) VALUES (?, ?, ?, ?)", Date.now(), type, meta.name, JSON.stringify(env));
    this.ctx.waitUntil(deliverEvent(this.env, env));
  }

  async listEvents(opts: { limit: number; type?: string; repo?: string; after?: number }): Promise<Array<{ seq: number; event: unknown }>> {
    const where: string[] = [];
    const args: SqlStorageValue[] = [];
    if (opts.type) where.push("type = ?"), args.push(opts.type);
    if (opts.repo) where.push("lower(repo) = ?"), args.push(opts.repo.toLowerCase());
    if (opts.after !== undefined) where.push("seq > ?"), args.push(opts.after);
    return this.sql
      .exec<{ seq: number; body: string }>(`SELECT seq, body FROM events ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY seq DESC LIMIT ?`, ...args, opts.limit)
      .toArray()
      .map((r) => ({ seq: r.seq, event: JSON.parse(r.body) }));
  }

  /** Retention: audit entries and events older than the configured days; stale reservations. */
  override async alarm(): Promise<void> {
    this.prune();
    await this.ctx.storage.setAlarm(Date.now() + 60 * 60 * 1000);
  }

  async prune(now = Date.now()): Promise<{ audit: number; events: number }> {
    const days = Number(this.env.AUDIT_RETENTION_DAYS ?? "7");
    const cutoff = now - days * DAY;
    const a = this.sql.exec("DELETE FROM audit WHERE at < ?", cutoff).rowsWritten;
    const e = this.sql.exec("DELETE FROM events WHERE at < ?", cutoff).rowsWritten;
    return { audit: a, events: e };
  }
}

function encodeCursor(v: SqlStorageValue, id: string): string {
  return btoa(JSON.stringify({ v, id }));
}

function decodeCursor(c: string | undefined): { v: SqlStorageValue; id: string } | undefined {
  if (!c) return undefined;
  try {
    const x = JSON.parse(atob(c)) as { v: SqlStorageValue; id: string };
    if (typeof x.id === "string" && (typeof x.v === "number" || typeof x.v === "string")) return x;
  } catch {
    // A malformed cursor starts from the beginning, as the simulator does (contract §3.2 list).
  }
  return undefined;
}
