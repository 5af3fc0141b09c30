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
import type { RateLimit } from "../limits.js";
import { RateWindow } from "./rate-window.js";
import { log, redact, redactTokens } from "../util/log.js";
import { accountStub, repoStub } from "../stubs.js";

/** "creating", "importing" and "forking" are the three in-flight states of a new repo (docs/contract.md "Namespace methods"). */
export type RepoStatus = "creating" | "importing" | "forking" | "ready" | "deleting";
export type PendingStatus = "creating" | "importing" | "forking";
export interface RepoRecord extends RepoMeta {
  status: RepoStatus;
}

/** The contract's error for a repo that is not ready yet (docs/contract.md "Error codes"), or undefined for ready and deleting. */
export function inProgressError(r: { status: RepoStatus; name: string }): ArtifactsError | undefined {
  if (r.status === "creating") return new ArtifactsError("CREATE_IN_PROGRESS", `Repository is still being created: ${r.name}.`);
  if (r.status === "importing") return new ArtifactsError("IMPORT_IN_PROGRESS", `Repository is still being imported: ${r.name}.`);
  if (r.status === "forking") return new ArtifactsError("FORK_IN_PROGRESS", `Repository is still being forked: ${r.name}.`);
  return undefined;
}

/** A listing's `status` (docs/contract.md "Namespace methods" list): an import or fork still filling, otherwise ready. */
export function listedStatus(status: string | undefined): "ready" | "importing" | "forking" {
  return status === "importing" || status === "forking" ? status : "ready";
}

/** The statuses a listing shows (docs/contract.md "Namespace methods" list: ready, importing, forking). */
const LISTED = "status IN ('ready', 'importing', 'forking')";

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
/** A reservation older than this is abandoned (the create that made it crashed). */
const STALE_MS = 10 * 60 * 1000;

/** An event to record: envelope built (and kept, for delivery) when it is stored. */
export interface EventSpec {
  type: EventType;
  meta: RepoMeta;
  payload?: Record<string, unknown>;
  source?: { namespace: string; repoName: string };
  envelope?: ReturnType<typeof eventEnvelope>;
}

/** What one operation records in the namespace, in one transaction. */
export interface RecordOps {
  tokens?: Array<{ id: string; repoId: string; expiresAt: string }>;
  audit?: AuditEntry;
  events?: EventSpec[];
}

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
        // The listing sorts never-pushed repos as the oldest: this index serves that exact expression.
        `CREATE INDEX IF NOT EXISTS repos_pushed0 ON repos(coalesce(last_push_at, 0), id)`,
        // Reservations and deletions that a crash left behind, for the alarm's sweep.
        `CREATE INDEX IF NOT EXISTS repos_pending ON repos(status_at) WHERE status <> 'ready'`,
        `CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, principal TEXT NOT NULL, action TEXT NOT NULL, resource TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT)`,
        `CREATE INDEX IF NOT EXISTS audit_at ON audit(at)`,
        `CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, type TEXT NOT NULL, repo TEXT NOT NULL, body TEXT NOT NULL)`,
        `CREATE INDEX IF NOT EXISTS events_at ON events(at)`,
        `CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT)`,
        `CREATE TABLE IF NOT EXISTS token_index (token_id TEXT PRIMARY KEY, repo_id TEXT NOT NULL)`,
        `CREATE INDEX IF NOT EXISTS token_index_repo ON token_index(repo_id)`,
      ])
        this.sql.exec(s);
      // Added after the first release: an index entry is useless once its token has expired.
      if (
        !this.sql
          .exec<{ name: string }>("SELECT name FROM pragma_table_info('token_index')")
          .toArray()
          .some((c) => c.name === "expires_at")
      )
        this.sql.exec("ALTER TABLE token_index ADD COLUMN expires_at INTEGER");
      this.sql.exec("CREATE INDEX IF NOT EXISTS token_index_expires ON token_index(expires_at)");
      await this.settleInterrupted();
    });
  }

  /**
   * Before serving, settle every create and delete an earlier instance left half-done (a crash, a
   * `kill -9`): deletes are finished; a create whose repo object is not being filled right now by
   * its creator (see RepoObject.createState) is undone and its name freed. A create still running
   * (this object was merely evicted during a long import) is left to finish.
   */
  private async settleInterrupted() {
    const rows = this.sql.exec<{ id: string; status: string }>("SELECT id, status FROM repos WHERE status <> 'ready' LIMIT 200").toArray();
    if (rows.length === 0) return;
    const ns = this.namespaceName();
    for (const r of rows) {
      try {
        const stub = repoStub(this.env, ns, r.id);
        if (r.status === "creating" && (await stub.createState()).live) continue;
        await stub.destroy();
      } catch (err) {
        log("warn", "settling an interrupted create or delete failed", { repo_id: r.id, error: redact(String(err)) });
        continue;
      }
      this.ctx.storage.transactionSync(() => {
        this.sql.exec("DELETE FROM repos WHERE id = ? AND status = ?", r.id, r.status);
        this.sql.exec("DELETE FROM token_index WHERE repo_id = ?", r.id);
      });
    }
  }

  /**
   * The hourly retention alarm is armed by the first write of each instance, not at start-up: a
   * lookup of a namespace that was never used must not leave an object with an alarm behind.
   */
  private alarmArmed = false;
  private armAlarm() {
    if (this.alarmArmed) return;
    this.alarmArmed = true;
    this.ctx.waitUntil(
      (async () => {
        if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 60 * 60 * 1000);
      })().catch(() => (this.alarmArmed = false)),
    );
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
    return {
      namespace: this.namespaceName(),
      repoCount: this.count(),
      createdAt: created ? nowIso(Number(created)) : null,
      updatedAt: updated ? nowIso(Number(updated)) : null,
    };
  }

  private touch(namespace: string) {
    const now = String(Date.now());
    if (!this.kv("name")) this.setKv("name", namespace);
    if (!this.kv("created_at")) this.setKv("created_at", now);
    this.setKv("updated_at", now);
  }

  /**
   * Phase 1 of create/fork/import: claim the name with status "creating", "importing" or
   * "forking". A record left "deleting" by a crash is finished off first (docs/contract.md "Namespace methods" delete).
   * A name an import or fork is still filling answers that operation's *_IN_PROGRESS.
   */
  async reserve(namespace: string, meta: RepoMeta, status: PendingStatus = "creating"): Promise<{ staleId?: string }> {
    this.armAlarm();
    const existing = this.sql.exec<Row>("SELECT * FROM repos WHERE name_lower = ?", meta.name.toLowerCase()).toArray()[0];
    let staleId: string | undefined;
    if (existing) {
      const pending = existing.status === "creating" || existing.status === "importing" || existing.status === "forking";
      const stale = existing.status === "deleting" || (pending && Date.now() - Number(existing.status_at) > STALE_MS);
      if (!stale) throw (existing.status !== "creating" && inProgressError(this.toRecord(existing, namespace))) || alreadyExists(meta.name);
      staleId = existing.id;
      this.sql.exec("DELETE FROM repos WHERE id = ?", existing.id);
      this.sql.exec("DELETE FROM token_index WHERE repo_id = ?", existing.id);
    }
    const t = Date.parse(meta.createdAt);
    this.ctx.storage.transactionSync(() => {
      this.touch(namespace);
      this.sql.exec(
        "INSERT INTO repos (id, name, name_lower, status, description, default_branch, read_only, source, created_at, updated_at, last_push_at, status_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
        meta.id,
        meta.name,
        meta.name.toLowerCase(),
        status,
        meta.description,
        meta.defaultBranch,
        meta.readOnly ? 1 : 0,
        meta.source,
        t,
        t,
        Date.now(),
      );
    });
    return staleId ? { staleId } : {};
  }

  /**
   * Phase 2, in one transaction: the repo's Durable Object holds its metadata and first token, so
   * the repo becomes visible and counted, the token is indexed, and the audit entry and events are
   * recorded. Fails (and changes nothing) if the reservation is gone, e.g. swept as stale.
   */
  async activate(meta: RepoMeta, ops: RecordOps): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      const n = this.sql.exec(
        "UPDATE repos SET status = 'ready', status_at = ?, default_branch = ?, updated_at = ? WHERE id = ? AND status IN ('creating', 'importing', 'forking')",
        Date.now(),
        meta.defaultBranch,
        Date.parse(meta.updatedAt),
        meta.id,
      ).rowsWritten;
      if (!n) throw new ArtifactsError("INTERNAL_ERROR", "An internal error occurred.");
      this.addCount(1);
      this.touch(meta.namespace);
      this.recordNow(ops);
    });
    this.deliver(ops);
    this.syncAccount();
  }

  /** Creation failed: forget the reservation. */
  async release(id: string): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM repos WHERE id = ? AND status IN ('creating', 'importing', 'forking')", id);
      this.sql.exec("DELETE FROM token_index WHERE repo_id = ?", id);
    });
  }

  /** Token index entries, an audit entry and events of one operation, in one transaction. */
  async record(ops: RecordOps): Promise<void> {
    this.ctx.storage.transactionSync(() => this.recordNow(ops));
    this.deliver(ops);
  }

  private recordNow(ops: RecordOps) {
    this.armAlarm();
    for (const t of ops.tokens ?? [])
      this.sql.exec("INSERT OR REPLACE INTO token_index (token_id, repo_id, expires_at) VALUES (?, ?, ?)", t.id, t.repoId, Date.parse(t.expiresAt));
    if (ops.audit) this.auditNow(ops.audit);
    for (const e of ops.events ?? []) this.insertEvent(e);
  }

  private deliver(ops: RecordOps) {
    if (!ops.events?.length) return;
    for (const e of ops.events) {
      const env = e.envelope;
      if (env) this.ctx.waitUntil(deliverEvent(this.env, env));
    }
  }

  async lookup(namespace: string, name: string): Promise<RepoRecord | null> {
    const r = this.sql.exec<Row>("SELECT * FROM repos WHERE name_lower = ?", name.toLowerCase()).toArray()[0];
    return r ? this.toRecord(r, namespace) : null;
  }

  /**
   * The Git route's one registry call: count the request against the namespace's Git rate limit
   * (when configured), then look the repo up. Limited requests are not looked up.
   */
  async gitLookup(namespace: string, name: string, rate?: RateLimit): Promise<{ record: RepoRecord | null; retryAfter?: number }> {
    if (rate) {
      const r = this.rateHit("git", rate);
      if (r !== undefined) return { record: null, retryAfter: r };
    }
    return { record: await this.lookup(namespace, name) };
  }

  /** Count one REST request against the namespace's API rate limit: seconds to wait, or undefined. */
  async rateCheck(rate: RateLimit): Promise<number | undefined> {
    return this.rateHit("api", rate);
  }

  /**
   * Request rates per namespace (docs/contract.md "Limits"), counted here because this object is the one place
   * every isolate's requests for the namespace meet: module memory would count per isolate. A
   * sliding window (rate-window.ts) in this instance's memory: there is exactly one live instance, and it
   * is only evicted after being idle, by which time a window has passed anyway. Nothing is written
   * to storage per request. Returns the seconds to wait when over the limit.
   */
  private rateHit(surface: "git" | "api", rate: RateLimit): number | undefined {
    let w = this.rates.get(surface);
    if (!w) this.rates.set(surface, (w = new RateWindow()));
    return w.hit(rate, Date.now());
  }
  private rates = new Map<string, RateWindow>();

  /** Delete phase 1: hide the repo. Returns its record, or null if there is no such repo. */
  async markDeleting(namespace: string, name: string): Promise<RepoRecord | null> {
    const r = this.sql.exec<Row>("SELECT * FROM repos WHERE name_lower = ? AND status <> 'deleting'", name.toLowerCase()).toArray()[0];
    if (!r) return null;
    const busy = inProgressError(this.toRecord(r, namespace));
    if (busy) throw busy;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("UPDATE repos SET status = 'deleting', status_at = ? WHERE id = ?", Date.now(), r.id);
      this.addCount(-1);
      this.touch(namespace);
    });
    this.syncAccount();
    return this.toRecord(r, namespace);
  }

  /** Delete phase 2: the repo's storage is gone; drop the record and its token index, audit, emit. */
  async remove(id: string, ops: RecordOps = {}): Promise<void> {
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM repos WHERE id = ? AND status = 'deleting'", id);
      this.sql.exec("DELETE FROM token_index WHERE repo_id = ?", id);
      this.recordNow(ops);
    });
    this.deliver(ops);
  }

  /** REST revokes tokens by id alone (docs/contract.md "REST routes" route 9): which repo holds the token. */
  async tokenRepo(tokenId: string): Promise<string | null> {
    return this.sql.exec<{ repo_id: string }>("SELECT repo_id FROM token_index WHERE token_id = ?", tokenId).toArray()[0]?.repo_id ?? null;
  }

  /**
   * The account's namespace list keeps a copy of each namespace's repo count. This object's count
   * is the truth; it is pushed (absolute, versioned, so a lost or repeated push is harmless) after
   * each change, one push in flight at a time, so bursts of creates cost the account object one
   * write per push rather than one per create. The alarm pushes again in case one was lost.
   */
  private syncAccount() {
    this.syncDirty = true;
    if (this.syncing) return;
    this.syncing = (async () => {
      while (this.syncDirty) {
        this.syncDirty = false;
        const name = this.namespaceName();
        if (!name) return;
        const version = Number(this.kv("count_version") ?? "0") + 1;
        this.setKv("count_version", String(version));
        const s = await this.summary();
        await accountStub(this.env).namespaceCount(
          name,
          s.repoCount,
          version,
          Date.parse(s.createdAt ?? "") || Date.now(),
          Date.parse(s.updatedAt ?? "") || Date.now(),
        );
      }
    })()
      .catch((e) => log("warn", "namespace count sync failed", { error: redact(String(e)) }))
      .finally(() => (this.syncing = undefined));
    this.ctx.waitUntil(this.syncing);
  }
  private syncing: Promise<void> | undefined;
  private syncDirty = false;

  /** One page: after a keyset cursor, or (page-numbered clients) after skipping `offset` entries. */
  async list(
    namespace: string,
    opts: { limit: number; cursor?: string; offset?: number; search?: string; sort?: SortKey; direction?: "asc" | "desc" },
  ): Promise<{ repos: RepoRecord[]; total: number; cursor?: string }> {
    const sort = opts.sort ?? "created_at";
    const dir = opts.direction ?? "desc";
    const col = sort === "name" ? "name_lower" : sort === "last_push_at" ? "coalesce(last_push_at, 0)" : sort;
    const cmp = dir === "desc" ? "<" : ">";
    const where = [LISTED];
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
    const rows = this.sql
      .exec<Row & { sortv: SqlStorageValue }>(
        `SELECT *, ${col} AS sortv FROM repos WHERE ${where.join(" AND ")} ORDER BY ${col} ${dir}, id ${dir} LIMIT ? OFFSET ?`,
        ...args,
        opts.limit + 1,
        c ? 0 : (opts.offset ?? 0),
      )
      .toArray();
    const more = rows.length > opts.limit;
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    const total = opts.search
      ? this.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM repos WHERE ${LISTED} AND instr(name_lower, ?) > 0`, opts.search.toLowerCase()).one().n
      : this.count() + this.inFlight();
    return { repos: page.map((r) => this.toRecord(r, namespace)), total, ...(more && last ? { cursor: encodeCursor(last.sortv, last.id) } : {}) };
  }

  /** Imports and forks still filling: listed and counted (the pending index keeps this cheap). */
  private inFlight(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM repos WHERE status <> 'ready' AND status IN ('importing', 'forking')").one().n;
  }

  /** A push changed refs: keep the listing's timestamps current, audit and emit `pushed`. */
  async repoPushed(meta: RepoMeta, updates: Array<Record<string, unknown>>, principal: string): Promise<void> {
    this.sql.exec(
      "UPDATE repos SET updated_at = ?, last_push_at = ? WHERE id = ?",
      Date.parse(meta.updatedAt),
      Date.parse(meta.lastPushAt ?? meta.updatedAt),
      meta.id,
    );
    this.auditNow({
      principal,
      action: "git.push",
      resource: meta.name,
      outcome: "ok",
      detail: updates.map((u) => `${u.ref} ${String(u.before).slice(0, 7)}..${String(u.after).slice(0, 7)}`).join("; "),
    });
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
    this.armAlarm();
    // A token pasted where a name goes (a path, a body) must not be kept in plaintext.
    this.sql.exec(
      "INSERT INTO audit (at, principal, action, resource, outcome, detail) VALUES (?, ?, ?, ?, ?, ?)",
      Date.now(),
      e.principal,
      e.action,
      redactTokens(e.resource),
      e.outcome,
      e.detail === undefined ? null : redactTokens(e.detail),
    );
  }

  async listAudit(opts: {
    since?: number;
    until?: number;
    principal?: string;
    action?: string;
    limit: number;
    before?: number;
  }): Promise<Array<AuditEntry & { seq: number; at: string }>> {
    const where: string[] = [];
    const args: SqlStorageValue[] = [];
    if (opts.since !== undefined) {
      where.push("at >= ?");
      args.push(opts.since);
    }
    if (opts.until !== undefined) {
      where.push("at <= ?");
      args.push(opts.until);
    }
    if (opts.principal) {
      where.push("principal = ?");
      args.push(opts.principal);
    }
    if (opts.action) {
      where.push("(action = ? OR action LIKE ?)");
      args.push(opts.action, `${opts.action}.%`);
    }
    if (opts.before !== undefined) {
      where.push("seq < ?");
      args.push(opts.before);
    }
    return this.sql
      .exec<{ seq: number; at: number; principal: string; action: string; resource: string; outcome: string; detail: string | null }>(
        `SELECT * FROM audit ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY seq DESC LIMIT ?`,
        ...args,
        opts.limit,
      )
      .toArray()
      .map((r) => ({
        seq: r.seq,
        at: nowIso(r.at),
        principal: r.principal,
        action: r.action,
        resource: r.resource,
        outcome: r.outcome as AuditEntry["outcome"],
        ...(r.detail ? { detail: r.detail } : {}),
      }));
  }

  /** Record an event (readable through the REST API) and deliver it to configured subscribers. */
  async emit(type: EventType, meta: RepoMeta, payload: Record<string, unknown>, sourceOverride?: { namespace: string; repoName: string }): Promise<void> {
    const e: EventSpec = { type, meta, payload, ...(sourceOverride ? { source: sourceOverride } : {}) };
    this.insertEvent(e);
    this.deliver({ events: [e] });
  }

  /** Stores the event and leaves its envelope on `e` for delivery after the transaction. */
  private insertEvent(e: EventSpec) {
    this.armAlarm();
    const env = eventEnvelope(e.type, e.meta, e.payload ?? {}, this.env.ACCOUNT_ID ?? "local", e.source);
    this.sql.exec("INSERT INTO events (at, type, repo, body) VALUES (?, ?, ?, ?)", Date.now(), e.type, e.meta.name, JSON.stringify(env));
    e.envelope = env;
  }

  async listEvents(opts: { limit: number; type?: string; repo?: string; after?: number }): Promise<Array<{ seq: number; event: unknown }>> {
    const where: string[] = [];
    const args: SqlStorageValue[] = [];
    if (opts.type) {
      where.push("type = ?");
      args.push(opts.type);
    }
    if (opts.repo) {
      where.push("lower(repo) = ?");
      args.push(opts.repo.toLowerCase());
    }
    if (opts.after !== undefined) {
      where.push("seq > ?");
      args.push(opts.after);
    }
    return this.sql
      .exec<{ seq: number; body: string }>(
        `SELECT seq, body FROM events ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY seq DESC LIMIT ?`,
        ...args,
        opts.limit,
      )
      .toArray()
      .map((r) => ({ seq: r.seq, event: JSON.parse(r.body) }));
  }

  /** Retention: audit entries and events older than the configured days; stale reservations. */
  override async alarm(): Promise<void> {
    try {
      await this.prune();
      this.syncAccount();
    } finally {
      await this.ctx.storage.setAlarm(Date.now() + 60 * 60 * 1000);
    }
  }

  /**
   * Retention and repair: audit entries and events older than AUDIT_RETENTION_DAYS, token index
   * entries of expired tokens, and repos a crash left half-created or half-deleted (older than
   * STALE_MS): their Durable Object is emptied and the record dropped, as the next create of the
   * name would do.
   */
  async prune(now = Date.now()): Promise<{ audit: number; events: number; tokens: number; stale: number }> {
    const days = Number(this.env.AUDIT_RETENTION_DAYS ?? "7");
    const cutoff = now - days * DAY;
    const a = this.sql.exec("DELETE FROM audit WHERE at < ?", cutoff).rowsWritten;
    const e = this.sql.exec("DELETE FROM events WHERE at < ?", cutoff).rowsWritten;
    const t = this.sql.exec("DELETE FROM token_index WHERE expires_at < ?", now).rowsWritten;
    const stale = this.sql
      .exec<{ id: string; status: string }>("SELECT id, status FROM repos WHERE status <> 'ready' AND status_at < ? LIMIT 100", now - STALE_MS)
      .toArray();
    const ns = this.namespaceName();
    for (const r of stale) {
      try {
        await repoStub(this.env, ns, r.id).destroy();
      } catch (err) {
        log("warn", "stale repo sweep failed", { repo_id: r.id, error: redact(String(err)) });
        continue;
      }
      this.ctx.storage.transactionSync(() => {
        this.sql.exec("DELETE FROM repos WHERE id = ? AND status = ?", r.id, r.status);
        this.sql.exec("DELETE FROM token_index WHERE repo_id = ?", r.id);
      });
    }
    return { audit: a, events: e, tokens: t, stale: stale.length };
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
    // A malformed cursor starts from the beginning, as the simulator does (docs/contract.md "Namespace methods" list).
  }
  return undefined;
}
