/**
 * One Durable Object per repository (keyed by namespace and repo id, so a deleted and re-created
 * name never reaches old data). It owns the Git objects and refs (SqlRepoStore), the repo's
 * metadata and its token hashes, and serves Git smart HTTP for requests the Worker has already
 * authorized.
 */
import { DurableObject } from "cloudflare:workers";
import {
  ancestors,
  ByteReader,
  ObjectDb,
  handleGitHttp,
  ingestPack,
  writePack,
  enumerateObjects,
  deflate,
  ZERO_OID,
  hashObject,
  isOid,
  LimitExceededError,
  type GitHttpOptions,
  type PushOutcome,
  type Oid,
} from "@artifacts-emulator/git";
import { authorize, principalLabel } from "../auth/policy.js";
import { gitPrincipal } from "../auth/principals.js";
import { gitNotFound, gitText, gitUnauthorized } from "../http/git-text.js";
import { namespaceStub } from "../stubs.js";
import type { Env, RepoMeta } from "../env.js";
import { ArtifactsError, invalidInput, limitError, repoNotFound } from "../errors.js";
import { nowIso, randomId } from "../util/ids.js";
import { digestEqual, formatToken, mintSecret, sha256Hex, tokenSecret } from "../util/tokens.js";
import { checkFileArgs, checkHash, checkLogOpts, normalizePath, TOKEN_ID_RE } from "../validate.js";
import { SqlRepoStore, type SqlQuarantine } from "./sql-store.js";
import { formatBytes, repoLimits } from "../limits.js";
import { log, redact } from "../util/log.js";
import { commitMetadata, lookupPath, resolveRef, treeEntryView, type CommitMetadata, type TreeEntryView } from "./reads.js";
import { contentTypeFor } from "./mime.js";
import { pushedCommits } from "./push-events.js";

export const MAX_READ_BYTES = 32 * 1024 * 1024;
const MAX_INACTIVE_TOKENS = 100;

export interface TokenRow {
  id: string;
  scope: "read" | "write";
  state: "active" | "expired" | "revoked";
  createdAt: string;
  expiresAt: string;
}

export interface CreatedToken {
  id: string;
  plaintext: string;
  scope: "read" | "write";
  expiresAt: string;
}

/** A fork's source, as exportPack hands it over. */
export interface ExportedPack {
  pack: ReadableStream<Uint8Array>;
  refs: Array<{ name: string; oid: string }>;
  objects: number;
  head: string;
  shallow: string[];
}

export class RepoObject extends DurableObject<Env> {
  private store!: SqlRepoStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.open();
      // Every quarantine found at start belongs to a request of an earlier instance (a crash, a
      // restart): none can still finish, so all go, whatever their age.
      this.store.sweepQuarantines(Date.now(), 0);
    });
  }

  /** Create the tables (idempotent): at start-up, and again after `destroy` emptied the storage. */
  private open() {
    this.store = new SqlRepoStore(this.ctx.storage);
    const sql = this.ctx.storage.sql;
    sql.exec(
      `CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER)`,
    );
    // Pruning and listing read only what they need: inactive tokens through these two indexes,
    // newest-first pages through the third, so their cost does not grow with active tokens.
    sql.exec(`CREATE INDEX IF NOT EXISTS tokens_expires ON tokens(expires_at)`);
    sql.exec(`CREATE INDEX IF NOT EXISTS tokens_revoked ON tokens(revoked_at) WHERE revoked_at IS NOT NULL`);
    sql.exec(`CREATE INDEX IF NOT EXISTS tokens_created ON tokens(created_at)`);
  }

  // ── metadata ────────────────────────────────────────────────────────────────
  private meta(): RepoMeta | undefined {
    const v = this.store.kvGet("meta");
    return v ? (JSON.parse(v) as RepoMeta) : undefined;
  }
  private requireMeta(): RepoMeta {
    const m = this.meta();
    if (!m) throw repoNotFound("repository");
    return m;
  }
  private saveMeta(m: RepoMeta) {
    this.store.kvSet("meta", JSON.stringify(m));
  }

  /** Whether this instance initialised the repo (its create may still be running): see createState. */
  private initialisedHere = false;

  /**
   * For the registry settling half-done creates at its start: `live` when this very instance
   * initialised the repo, so its creator may still be filling it. After a crash the repo object
   * is a new instance and the create cannot finish.
   */
  async createState(): Promise<{ live: boolean; initialised: boolean }> {
    return { live: this.initialisedHere, initialised: this.meta() !== undefined };
  }

  /** Create phase: metadata, HEAD and the first token in one transaction (one round trip). */
  async initWithToken(meta: RepoMeta, scope: "read" | "write", ttlSeconds: number): Promise<CreatedToken> {
    if (this.meta()) throw new ArtifactsError("ALREADY_EXISTS", `repo already exists: ${meta.name}`);
    this.initialisedHere = true;
    const t = await this.newToken(scope, ttlSeconds);
    this.ctx.storage.transactionSync(() => {
      this.saveMeta(meta);
      this.store.kvSet("HEAD", `refs/heads/${meta.defaultBranch}`);
      this.insertToken(t);
    });
    return t.created;
  }

  async info(): Promise<RepoMeta | null> {
    return this.meta() ?? null;
  }

  /**
   * An import finished filling the repo: its `updatedAt` is the completion time (docs/contract.md "Result shapes"),
   * and a shallow import (`source.depth`) keeps the boundary the remote reported.
   */
  async importDone(updatedAt: string, shallow: readonly string[] = []): Promise<void> {
    const m = this.meta();
    if (!m) return;
    this.ctx.storage.transactionSync(() => {
      this.saveMeta({ ...m, updatedAt });
      if (shallow.length) this.store.setShallow(shallow);
    });
  }

  /** A fork of a shallow repo is shallow where its source is (the exported commits' boundary). */
  async setShallow(shallow: readonly string[]): Promise<void> {
    this.store.setShallow(shallow);
  }

  async stats(): Promise<{ objects: number; bytes: number; refs: number }> {
    this.requireMeta();
    const s = this.store.objectStats();
    return { ...s, refs: (await this.store.listRefs()).length };
  }

  /**
   * Remove everything: objects, refs, tokens, metadata. deleteAll drops the SQL tables too, and
   * this instance may live on (stale handles still address it), so the empty schema comes back:
   * later calls then find no metadata and answer NOT_FOUND rather than failing on a missing table.
   */
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.open();
  }

  // ── tokens ──────────────────────────────────────────────────────────────────
  private async newToken(scope: "read" | "write", ttlSeconds: number) {
    const secret = mintSecret();
    const id = randomId();
    const now = Date.now();
    const expires = now + ttlSeconds * 1000;
    return {
      id,
      hash: await sha256Hex(secret),
      scope,
      now,
      expires,
      created: { id, plaintext: formatToken(secret, expires), scope, expiresAt: nowIso(expires) } as CreatedToken,
    };
  }

  private insertToken(t: { id: string; hash: string; scope: string; now: number; expires: number }) {
    this.ctx.storage.sql.exec("INSERT INTO tokens (id, hash, scope, created_at, expires_at) VALUES (?, ?, ?, ?, ?)", t.id, t.hash, t.scope, t.now, t.expires);
    this.pruneTokens(t.now);
  }

  /** A new token and the repo's metadata (for the event), or null when the repo is gone. */
  async mintToken(scope: "read" | "write", ttlSeconds: number): Promise<{ token: CreatedToken; meta: RepoMeta } | null> {
    const meta = this.meta();
    if (!meta) return null;
    const t = await this.newToken(scope, ttlSeconds);
    this.ctx.storage.transactionSync(() => this.insertToken(t));
    return { token: t.created, meta };
  }

  async createToken(scope: "read" | "write", ttlSeconds: number): Promise<CreatedToken> {
    const r = await this.mintToken(scope, ttlSeconds);
    if (!r) throw repoNotFound("repository");
    return r.token;
  }

  /** Undo a mint whose bookkeeping failed (the token was never handed out). */
  async discardToken(id: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM tokens WHERE id = ?", id);
  }

  /**
   * Keep at most MAX_INACTIVE_TOKENS expired or revoked tokens (docs/contract.md "Limits"), the newest. Both
   * sets are read through their own index, so the cost follows the inactive tokens (about 100),
   * never the active ones.
   */
  private pruneTokens(now: number) {
    const sql = this.ctx.storage.sql;
    const inactive = `SELECT id, created_at, rowid AS r FROM tokens WHERE expires_at <= ?1 UNION SELECT id, created_at, rowid AS r FROM tokens WHERE revoked_at IS NOT NULL`;
    const n = sql.exec<{ n: number }>(`SELECT count(*) AS n FROM (${inactive})`, now).one().n;
    if (n <= MAX_INACTIVE_TOKENS) return;
    sql.exec(`DELETE FROM tokens WHERE id IN (SELECT id FROM (${inactive}) ORDER BY created_at DESC, r DESC LIMIT -1 OFFSET ?2)`, now, MAX_INACTIVE_TOKENS);
  }

  private tokenRows(where: string, args: SqlStorageValue[], limit: number, offset: number, now: number): TokenRow[] {
    return this.ctx.storage.sql
      .exec<{ id: string; scope: string; created_at: number; expires_at: number; revoked_at: number | null }>(
        `SELECT id, scope, created_at, expires_at, revoked_at FROM tokens ${where} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
        ...args,
        limit,
        offset,
      )
      .toArray()
      .map((r) => ({
        id: r.id,
        scope: r.scope as "read" | "write",
        state: r.revoked_at !== null ? "revoked" : r.expires_at <= now ? "expired" : "active",
        createdAt: nowIso(r.created_at),
        expiresAt: nowIso(r.expires_at),
      }));
  }

  private static readonly STATE_WHERE = {
    active: "WHERE revoked_at IS NULL AND expires_at > ?",
    expired: "WHERE revoked_at IS NULL AND expires_at <= ?",
    revoked: "WHERE revoked_at IS NOT NULL",
    all: "",
  } as const;

  private tokenCount(state: keyof typeof RepoObject.STATE_WHERE, now: number): number {
    const where = RepoObject.STATE_WHERE[state];
    return this.ctx.storage.sql.exec<{ n: number }>(`SELECT count(*) AS n FROM tokens ${where}`, ...(where.includes("?") ? [now] : [])).one().n;
  }

  /** Binding view: active first (newest first), then the rest; at most 30. */
  async listTokens(): Promise<{ tokens: TokenRow[]; total: number }> {
    this.requireMeta();
    const now = Date.now();
    const tokens = this.tokenRows(RepoObject.STATE_WHERE.active, [now], 30, 0, now);
    if (tokens.length < 30) tokens.push(...this.tokenRows("WHERE revoked_at IS NOT NULL OR expires_at <= ?", [now], 30 - tokens.length, 0, now));
    return { tokens, total: this.tokenCount("all", now) };
  }

  /** REST view: filtered by state, paged. */
  async listTokensPage(state: "active" | "expired" | "revoked" | "all", page: number, perPage: number): Promise<{ tokens: TokenRow[]; total: number }> {
    this.requireMeta();
    const now = Date.now();
    const where = RepoObject.STATE_WHERE[state];
    const args = where.includes("?") ? [now] : [];
    return { tokens: this.tokenRows(where, args, perPage, (page - 1) * perPage, now), total: this.tokenCount(state, now) };
  }

  /** Revoke by id or plaintext; true only if an active token was revoked. `meta` is for the event. */
  async revokeToken(tokenOrId: string): Promise<{ revoked: boolean; tokenId?: string; meta?: RepoMeta }> {
    const meta = this.requireMeta();
    let row: { id: string; expires_at: number; revoked_at: number | null } | undefined;
    if (TOKEN_ID_RE.test(tokenOrId)) {
      row = this.ctx.storage.sql
        .exec<{ id: string; expires_at: number; revoked_at: number | null }>("SELECT id, expires_at, revoked_at FROM tokens WHERE id = ?", tokenOrId)
        .toArray()[0];
    } else {
      const secret = tokenSecret(tokenOrId);
      if (!secret) throw invalidInput("Invalid tokenOrId: must be a token id or artifact token.");
      row = this.ctx.storage.sql
        .exec<{ id: string; expires_at: number; revoked_at: number | null }>(
          "SELECT id, expires_at, revoked_at FROM tokens WHERE hash = ?",
          await sha256Hex(secret),
        )
        .toArray()[0];
    }
    const now = Date.now();
    if (!row || row.revoked_at !== null || row.expires_at <= now) return { revoked: false, meta };
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec("UPDATE tokens SET revoked_at = ? WHERE id = ?", now, row.id);
      this.pruneTokens(now);
    });
    return { revoked: true, tokenId: row.id, meta };
  }

  // ── reads ───────────────────────────────────────────────────────────────────
  /** Reads walk a shallow repo's boundary as having no parents, as git does. */
  private odb() {
    const odb = new ObjectDb([this.store]);
    odb.shallow = new Set(this.store.shallowList());
    return odb;
  }

  async readBlob(hash: string): Promise<Blob | null> {
    this.requireMeta();
    checkHash(hash);
    const s = await this.store.get(hash);
    if (!s || s.type !== "blob") return null;
    if (s.size > MAX_READ_BYTES) throw new ArtifactsError("MEMORY_LIMIT", "The object is too large to read through the binding.");
    return new Blob([(await this.odb().read(hash)).data]);
  }

  async readTree(hash: string): Promise<TreeEntryView[] | null> {
    this.requireMeta();
    checkHash(hash);
    const s = await this.store.get(hash);
    if (!s) return null;
    if (s.type !== "tree") throw new ArtifactsError("INTERNAL_ERROR", "An internal error occurred.");
    return (await this.odb().tree(hash)).map(treeEntryView);
  }

  async readCommit(hash: string): Promise<CommitMetadata | null> {
    this.requireMeta();
    checkHash(hash);
    const s = await this.store.get(hash);
    if (!s) return null;
    if (s.type !== "commit") throw new ArtifactsError("INTERNAL_ERROR", "An internal error occurred.");
    return commitMetadata(hash, await this.odb().fullCommit(hash));
  }

  async readFile(ref: string, path: string): Promise<Blob | null> {
    this.requireMeta();
    const data = await this.fileBytes(ref, path);
    if (!data) return null;
    return new Blob([data.bytes], { type: contentTypeFor(data.path, data.bytes) });
  }

  async fileBytes(ref: string, path: string): Promise<{ bytes: Uint8Array; path: string } | null> {
    checkFileArgs({ ref, path });
    const norm = normalizePath(path);
    if (!norm) return null;
    const odb = this.odb();
    const commit = await resolveRef(this.store, odb, ref);
    if (!commit) return null;
    const entry = await lookupPath(odb, commit, norm);
    if (!entry || entry.mode === "40000" || entry.mode === "160000") return null;
    const s = await this.store.get(entry.oid);
    if (!s || s.type !== "blob") return null;
    if (s.size > MAX_READ_BYTES) throw new ArtifactsError("MEMORY_LIMIT", "The object is too large to read through the binding.");
    return { bytes: (await odb.read(entry.oid)).data, path: norm };
  }

  async log(opts?: unknown): Promise<CommitMetadata[]> {
    this.requireMeta();
    const { ref, limit, offset } = checkLogOpts(opts);
    const odb = this.odb();
    let oid: Oid | undefined = await resolveRef(this.store, odb, ref);
    const out: CommitMetadata[] = [];
    for (let i = 0; oid && out.length < limit; i++) {
      const c = await odb.fullCommit(oid);
      if (i >= offset) out.push(commitMetadata(oid, c));
      // A shallow repo's history ends at its boundary.
      oid = odb.shallow.has(oid) ? undefined : c.parents[0];
    }
    return out;
  }

  async refs(): Promise<{ head: string; refs: Array<{ name: string; oid: string }> }> {
    this.requireMeta();
    return { head: await this.store.getHead(), refs: await this.store.listRefs() };
  }

  // ── Git smart HTTP ─────────────────────────────────────────────────────────
  /**
   * One Git smart-HTTP request in one call (docs/contract-choices.md has the order of checks):
   * the presented token is checked against this repo's hashes, the policy (auth/policy.ts)
   * decides, the declared body size is checked, and the engine serves. `request` is the client's
   * request without its Authorization header; `credential` is the token it presented, if any.
   * The principal label comes back for the Worker's request log.
   */
  async serveGit(request: Request, credential: string | null): Promise<{ response: Response; principal: string }> {
    const meta = this.meta();
    if (!meta) return { response: await refuse(request, gitNotFound()), principal: "anonymous" };
    const url = new URL(request.url);
    const sub = url.pathname.replace(/^.*?\.git\//, "");
    const push = (sub === "info/refs" ? url.searchParams.get("service") : sub) === "git-receive-pack";
    const action = push ? "git.push" : "git.fetch";
    const checked = credential ? await this.checkToken(credential) : null;
    if (checked && "refused" in checked) {
      // A token this repo issued that has expired or was revoked: say so (403), so git shows it for Bearer and Basic alike.
      const label = `repo-token:${checked.tokenId}`;
      await this.ns(meta).audit({ principal: label, action, resource: meta.name, outcome: "denied", detail: checked.refused });
      return { response: await refuse(request, gitText(403, checked.refused)), principal: label };
    }
    const principal = gitPrincipal(checked, meta);
    const label = principalLabel(principal);
    const d = authorize(principal, action, { namespace: meta.namespace, repoId: meta.id, readOnly: meta.readOnly });
    if (!d.allow) {
      // Unauthenticated probes are normal (git retries with credentials); audit only real refusals.
      if (credential) await this.ns(meta).audit({ principal: label, action, resource: meta.name, outcome: "denied", detail: d.reason });
      return { response: await refuse(request, d.status === 401 ? gitUnauthorized() : gitText(403, d.reason)), principal: label };
    }
    const limits = this.applyLimits(meta);
    // A body over the limit is refused once the caller may know the repo exists and may use it
    // (docs/contract.md "Git request checks"): when its length is declared, here, unread; a chunked body is counted by the
    // engine as it streams (git then prints the unpack error).
    if (Number(request.headers.get("Content-Length") ?? "0") > limits.maxGitBodyBytes)
      return { response: await refuse(request, gitText(413, "Request body too large")), principal: label };
    let known: Set<Oid> | undefined;
    const opts: GitHttpOptions = {
      access: push ? "write" : "read",
      maxBodyBytes: limits.maxGitBodyBytes,
      limits: { maxRefsPerPush: 1000, maxObjectSize: limits.maxObjectBytes },
      // Before the report: the repo's own timestamps, so a client that saw "ok" reads them.
      onPush: async (o) => {
        known = await this.recordPush(o);
      },
      // After the report, as git runs post-receive: the registry, the audit log and the events.
      afterPush: (o) =>
        this.pushEvents(meta, o, label, known ?? new Set()).catch((e) =>
          log("warn", "push event failed", { namespace: meta.namespace, repo: meta.name, error: redact(String(e)) }),
        ),
      onFetch: (served) => (served.packSent ? this.fetchEvent(meta, label, served.haves.length > 0 ? "fetched" : "cloned") : undefined),
    };
    const response = push && sub === "git-receive-pack" ? await this.receive(request, sub, opts) : await handleGitHttp(request, sub, this.store, opts);
    return { response, principal: label };
  }

  /** A token of this repo: its grant, the reason it is refused (expired, revoked), or null when unknown. */
  private async checkToken(presented: string): Promise<{ tokenId: string; scope: "read" | "write" } | { tokenId: string; refused: string } | null> {
    const secret = tokenSecret(presented);
    if (!secret) return null;
    const hash = await sha256Hex(secret);
    const row = this.ctx.storage.sql
      .exec<{ id: string; hash: string; scope: string; expires_at: number; revoked_at: number | null }>(
        "SELECT id, hash, scope, expires_at, revoked_at FROM tokens WHERE hash = ?",
        hash,
      )
      .toArray()[0];
    if (!row || !digestEqual(row.hash, hash)) return null;
    if (row.revoked_at !== null) return { tokenId: row.id, refused: `Artifacts token revoked at ${new Date(row.revoked_at).toISOString()}` };
    if (row.expires_at <= Date.now()) return { tokenId: row.id, refused: `Artifacts token expired at ${new Date(row.expires_at).toISOString()}` };
    return { tokenId: row.id, scope: row.scope as "read" | "write" };
  }

  private ns(meta: RepoMeta) {
    return namespaceStub(this.env, meta.namespace);
  }

  /**
   * A push. Whatever quarantine it opened is released once its response is over: answered, cut
   * off by the client (cancel) or failed, so a half-received pack never stays on disk.
   */
  private async receive(request: Request, sub: string, opts: GitHttpOptions): Promise<Response> {
    const opened: SqlQuarantine[] = [];
    const store = this.store;
    const tracked = new Proxy(store, {
      get(target, p) {
        if (p === "beginQuarantine")
          return async () => {
            const q = (await target.beginQuarantine()) as SqlQuarantine;
            opened.push(q);
            return q;
          };
        const v = Reflect.get(target, p, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      for (const q of opened) store.release(q);
    };
    let res: Response;
    try {
      res = await handleGitHttp(request, sub, tracked, opts);
    } catch (e) {
      release();
      throw e;
    }
    if (!res.body) {
      release();
      return res;
    }
    return new Response(whenSettled(res.body, release), { status: res.status, statusText: res.statusText, headers: res.headers });
  }

  /**
   * The push's effect on this repo's metadata, and the ref tips it had before (a new branch's
   * commits stop where it meets one), taken now: a later push may move them before the events.
   */
  private async recordPush(o: PushOutcome): Promise<Set<Oid>> {
    const known = new Set<Oid>();
    if (o.updated.length === 0) return known;
    const now = nowIso();
    this.saveMeta({ ...this.requireMeta(), updatedAt: now, lastPushAt: now });
    const updated = new Map(o.updated.map((u) => [u.name, u.old]));
    for (const r of await this.store.listRefs()) known.add(updated.get(r.name) ?? r.oid);
    for (const u of o.updated) if (u.old !== ZERO_OID) known.add(u.old);
    return known;
  }

  private async pushEvents(meta: RepoMeta, o: PushOutcome, principal: string, known: ReadonlySet<Oid>) {
    const ns = this.ns(meta);
    if (o.updated.length > 0) {
      const m = this.meta();
      if (!m) return; // deleted meanwhile
      const odb = this.odb();
      const events = [];
      for (const u of o.updated) events.push({ ref: u.name, before: u.old, after: u.new, ...(await pushedCommits(odb, u.new, known)) });
      await ns.repoPushed(m, events, principal);
    }
    if (o.rejected.length > 0 || o.unpackError)
      await ns.audit({
        principal,
        action: "git.push",
        resource: meta.name,
        outcome: "denied",
        detail: o.unpackError ?? o.rejected.map((r) => `${r.name}: ${r.reason}`).join("; "),
      });
  }

  private async fetchEvent(meta: RepoMeta, principal: string, kind: "cloned" | "fetched") {
    try {
      const current = this.meta();
      if (!current) return; // deleted meanwhile
      await this.ns(meta).repoFetched(current, kind, principal);
    } catch (e) {
      log("warn", "fetch event failed", { namespace: meta.namespace, repo: meta.name, error: redact(String(e)) });
    }
  }

  // ── transfer between repos (fork, import) ──────────────────────────────────
  /**
   * A pack of everything reachable from the given refs (all refs when null), for forks, with the
   * refs it covers, the source's HEAD and the part of a shallow repo's boundary those refs reach
   * (the fork is shallow there too).
   */
  async exportPack(refNames: string[] | null): Promise<ExportedPack> {
    this.requireMeta();
    const refs = (await this.store.listRefs()).filter((r) => !refNames || refNames.includes(r.name));
    const odb = this.odb();
    const e = await enumerateObjects(odb, { wants: refs.map((r) => r.oid), haves: [] });
    const gen = writePack(e.objects, odb, { ofsDelta: true });
    const shallow = odb.shallow.size
      ? [
          ...(await ancestors(
            odb,
            refs.map((r) => r.oid),
          )),
        ].filter((c) => odb.shallow.has(c))
      : [];
    const pack = new ReadableStream<Uint8Array>({
      async pull(c) {
        const r = await gen.next();
        if (r.done) c.close();
        else c.enqueue(r.value);
      },
    });
    return { pack, refs, objects: e.objects.length, head: await this.store.getHead(), shallow };
  }

  /** The limits for this repository, set on the store for the pushes and ingests that follow. */
  private applyLimits(meta: RepoMeta) {
    const l = repoLimits(this.env, meta.createdAt);
    this.store.limits = { maxRepoBytes: l.maxRepoBytes, maxObjectBytes: l.maxObjectBytes };
    return l;
  }

  /**
   * Ingest a pack and create refs (import and fork targets). All or nothing. A pack over the
   * repository's limits is MEMORY_LIMIT with the reason. `head`, when given, becomes HEAD and the
   * metadata's default branch (an import takes the remote's).
   */
  async ingestPack(pack: ReadableStream<Uint8Array>, refs: Array<{ name: string; oid: string }>, head: string | null): Promise<{ objects: number }> {
    const limits = this.applyLimits(this.requireMeta());
    const q = await this.store.beginQuarantine();
    const reader = new ByteReader(pack);
    try {
      const stats = refs.length ? await ingestPack(reader, this.store, q, { maxObjectSize: limits.maxObjectBytes }) : { objects: 0 };
      const results = await this.store.commit(
        q,
        refs.map((r) => ({ name: r.name, old: ZERO_OID, new: r.oid })),
        { atomic: true },
      );
      if (results.some((r) => !r.ok)) throw new Error("ingest: refs could not be created");
      if (head) {
        await this.store.setHead(head);
        const m = this.meta();
        const branch = head.replace(/^refs\/heads\//, "");
        if (m && m.defaultBranch !== branch) this.saveMeta({ ...m, defaultBranch: branch });
      }
      return { objects: stats.objects };
    } catch (e) {
      await this.store.abort(q).catch(() => {});
      await reader.cancel().catch(() => {});
      if (e instanceof LimitExceededError) throw limitError({ error: e.message });
      throw e;
    }
  }

  /** Sizes for operators and the big-repo bench: the largest stored value per table, stored bytes. */
  async storageReport(): Promise<{ largestRows: Record<string, number>; liveBytes: number; objects: number; limit: string; quarantines: number }> {
    const meta = this.requireMeta();
    const l = repoLimits(this.env, meta.createdAt);
    return {
      largestRows: this.store.largestRows(),
      liveBytes: this.store.liveBytes(),
      objects: this.store.objectStats().objects,
      limit: formatBytes(l.maxRepoBytes),
      quarantines: this.store.quarantineCount(),
    };
  }

  /** Write whole objects directly (used by tests and future commit APIs). */
  async putObject(type: "blob" | "tree" | "commit" | "tag", data: Uint8Array): Promise<string> {
    const oid = hashObject(type, data);
    await this.store.putObjects([[oid, { type, size: data.length, zdata: deflate(data), depth: 0 }]]);
    return oid;
  }
}

/** A refusal sent without reading the request body. */
async function refuse(request: Request, response: Response): Promise<Response> {
  await request.body?.cancel().catch(() => {});
  return response;
}

/** `body`, calling `done` once it has ended, failed or been cancelled by the reader. */
function whenSettled(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      try {
        const r = await reader.read();
        if (r.done) {
          done();
          c.close();
        } else c.enqueue(r.value);
      } catch (e) {
        done();
        c.error(e);
      }
    },
    async cancel(reason) {
      done();
      await reader.cancel(reason).catch(() => {});
    },
  });
}

export { isOid };
