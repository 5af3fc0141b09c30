/**
 * The Artifacts service: every control-plane operation, shared by the binding and the REST API.
 * Each method authorizes the caller through the one policy, validates input, does the work
 * against the Durable Objects, audits mutations and emits events.
 */
import type { Env, RepoMeta } from "./env.js";
import { ArtifactsError, denied, invalidInput, isArtifactsError, repoNotFound, toArtifactsError } from "./errors.js";
import { authorize, principalLabel, type Action, type Principal, type Resource } from "./auth/policy.js";
import {
  inProgressError,
  type AuditEntry,
  type EventSpec,
  type NamespaceObject,
  type PendingStatus,
  type RepoRecord,
  type SortKey,
} from "./namespace/namespace-object.js";
import type { CreatedToken, RepoObject } from "./repo/repo-object.js";
import { nowIso, randomId } from "./util/ids.js";
import { checkRepoName, checkRepoOptions, checkScope, checkTokenOrId, checkTtl, optObject, optString, checkListLimit, TTL_DEFAULT } from "./validate.js";
import { repoFields } from "./namespace/events.js";
import { importRepo } from "./repo/import.js";
import { checkImportHost } from "./repo/import-guard.js";
import { log, redact } from "./util/log.js";
import type { RateLimit } from "./limits.js";
import { namespaceStub, repoStub } from "./stubs.js";
import { AccountService } from "./account-service.js";
import { RepoReads } from "./repo-reads.js";

/** Count a REST request in the namespace's rate window: seconds to wait when over it. */
export function apiRateCheck(env: Env, namespace: string, rate: RateLimit): Promise<number | undefined> {
  return namespaceStub(env, namespace).rateCheck(rate);
}

export interface CreateRepoResult {
  id: string;
  name: string;
  description: string | null;
  defaultBranch: string;
  remote: string;
  token: string;
}

export class NamespaceService {
  constructor(
    readonly env: Env,
    readonly namespace: string,
    readonly principal: Principal,
    readonly origin: string,
  ) {}

  get label() {
    return principalLabel(this.principal);
  }

  authz(action: Action, resource: Omit<Resource, "namespace"> = {}) {
    const d = authorize(this.principal, action, { namespace: this.namespace, ...resource });
    // A refusal maps to 401/403 over REST; the binding's principal is never refused in its namespace.
    if (!d.allow) throw denied(d);
  }

  private ns(): DurableObjectStub<NamespaceObject> {
    return namespaceStub(this.env, this.namespace);
  }

  private repo(id: string): DurableObjectStub<RepoObject> {
    return repoStub(this.env, this.namespace, id);
  }

  remote(name: string): string {
    return `${this.origin}/git/${encodeURIComponent(this.namespace)}/${encodeURIComponent(name)}.git`;
  }

  /**
   * Run a mutation and audit it. `fn` gets the success entry; when it records that entry itself,
   * inside the namespace transaction that finishes the operation, it calls `recorded()` and no
   * extra round trip is made. Failures are audited here.
   */
  private async audited<T>(action: string, resource: string, fn: (ok: AuditEntry, recorded: () => void) => Promise<T>): Promise<T> {
    const ok: AuditEntry = { principal: this.label, action, resource, outcome: "ok" };
    let done = false;
    try {
      const r = await fn(ok, () => (done = true));
      if (!done) await this.ns().audit(ok);
      return r;
    } catch (e) {
      const err = toArtifactsError(e);
      await this.ns()
        .audit({ principal: this.label, action, resource, outcome: "error", detail: `${err.code}: ${err.message}` })
        .catch(() => {});
      throw err;
    }
  }

  /** The record of a ready repo, or the contract's NOT_FOUND / *_IN_PROGRESS errors. */
  async record(name: string): Promise<RepoRecord> {
    const r = await this.ns().lookup(this.namespace, name);
    if (!r || r.status === "deleting") throw repoNotFound(name);
    const busy = inProgressError(r);
    if (busy) throw busy;
    return r;
  }

  // ── create, import, fork share one two-phase path ───────────────────────────
  /**
   * Three round trips, whatever the namespace holds: (1) reserve the name in the registry (as
   * "creating", "importing" or "forking": what get, list and delete report meanwhile),
   * (2) initialise the repo's Durable Object with its metadata and first token in one transaction
   * (then `fill` it, for import and fork), (3) activate the record, index the token, audit and
   * record the events in one registry transaction. A failure at any step empties the repo object
   * and releases the name; a crash between steps leaves a "creating" record that the next create
   * of the name or the registry's alarm cleans up (docs/architecture.md).
   */
  private async provision(
    meta: RepoMeta,
    audit: AuditEntry,
    events: (final: RepoMeta, tok: CreatedToken) => EventSpec[],
    fill?: (stub: DurableObjectStub<RepoObject>) => Promise<Partial<RepoMeta> | void>,
    status: PendingStatus = "creating",
  ): Promise<{ final: RepoMeta; token: CreatedToken }> {
    const ns = this.ns();
    const { staleId } = await ns.reserve(this.namespace, meta, status);
    if (staleId)
      await this.repo(staleId)
        .destroy()
        .catch(() => {});
    const stub = this.repo(meta.id);
    try {
      const token = await stub.initWithToken(meta, "write", TTL_DEFAULT);
      const final = { ...meta, ...((fill ? await fill(stub) : undefined) ?? {}) };
      await ns.activate(final, { tokens: [{ id: token.id, repoId: meta.id, expiresAt: token.expiresAt }], audit, events: events(final, token) });
      return { final, token };
    } catch (e) {
      await stub.destroy().catch(() => {});
      await ns.release(meta.id).catch(() => {});
      throw e;
    }
  }

  account(): AccountService {
    return new AccountService(this.env);
  }

  /** Reads of one repo of this namespace (the caller has authorized them and resolved the id). */
  reads(id: string): RepoReads {
    return new RepoReads(this.env, this.namespace, id);
  }

  /** The registry's live view of the namespace (repo count, timestamps). */
  summary() {
    return this.ns().summary();
  }

  /** The repo a token id belongs to, from the registry's token index. */
  tokenRepo(tokenId: string) {
    return this.ns().tokenRepo(tokenId);
  }

  listAudit(q: Parameters<NamespaceObject["listAudit"]>[0]) {
    return this.ns().listAudit(q);
  }

  listEvents(q: Parameters<NamespaceObject["listEvents"]>[0]) {
    return this.ns().listEvents(q);
  }

  private newMeta(
    name: string,
    o: { description?: string | undefined; readOnly?: boolean | undefined; defaultBranch?: string | undefined; source?: string | null },
  ): RepoMeta {
    const now = nowIso();
    return {
      id: randomId(),
      name,
      namespace: this.namespace,
      description: o.description ?? null,
      defaultBranch: o.defaultBranch ?? "main",
      createdAt: now,
      updatedAt: now,
      lastPushAt: null,
      source: o.source ?? null,
      readOnly: o.readOnly ?? false,
    };
  }

  private result(meta: RepoMeta, token: string): CreateRepoResult {
    return { id: meta.id, name: meta.name, description: meta.description, defaultBranch: meta.defaultBranch, remote: this.remote(meta.name), token };
  }

  private tokenCreatedEvent(meta: RepoMeta, tok: CreatedToken): EventSpec {
    return { type: "cf.artifacts.repo.token.created", meta, payload: { tokenId: tok.id, scope: "write", expiresAt: tok.expiresAt } };
  }

  async create(name: unknown, opts?: unknown): Promise<CreateRepoResult> {
    this.authz("repo.create");
    const n = checkRepoName(name);
    const { description, readOnly, setDefaultBranch } = checkRepoOptions(opts);
    return this.audited("repo.create", n, async (ok, recorded) => {
      const meta = this.newMeta(n, { description, readOnly, defaultBranch: setDefaultBranch });
      const { token } = await this.provision(meta, ok, (m, tok) => [{ type: "cf.artifacts.repo.created", meta: m }, this.tokenCreatedEvent(m, tok)]);
      recorded();
      return this.result(meta, token.plaintext);
    });
  }

  async import(params: unknown): Promise<CreateRepoResult> {
    this.authz("repo.import");
    if (!params || typeof params !== "object") throw invalidInput("Artifacts import options are required");
    const p = params as { source?: unknown; target?: unknown };
    // The simulator checks the target name first, then the URL, then the depth (docs/contract.md "Namespace methods").
    const target = (p.target && typeof p.target === "object" ? p.target : {}) as { name?: unknown; opts?: unknown };
    const n = checkRepoName(target.name);
    const src = (p.source && typeof p.source === "object" ? p.source : {}) as { url?: unknown; branch?: unknown; depth?: unknown };
    if (typeof src.url !== "string") throw invalidInput("Invalid source.url: must be a valid URL.");
    let url: URL;
    try {
      url = new URL(src.url);
    } catch {
      throw invalidInput("Invalid source.url: must be a valid URL.");
    }
    // ALLOW_HTTP_IMPORT (local use) admits plain http: too, never another scheme.
    if (url.protocol !== "https:" && !(url.protocol === "http:" && (this.env as { ALLOW_HTTP_IMPORT?: string }).ALLOW_HTTP_IMPORT))
      throw invalidInput("Invalid source.url: must be an HTTPS URL.");
    const branch = optString(src.branch, "Invalid source.branch: must be a string.");
    if (src.depth !== undefined && (typeof src.depth !== "number" || !Number.isSafeInteger(src.depth) || src.depth < 1))
      throw invalidInput("Invalid source.depth: must be a positive integer.");
    const depth = src.depth as number | undefined;
    // import's target.opts may be null, like the simulator's `target.opts ?? {}`
    const { description, readOnly } = checkRepoOptions(target.opts ?? undefined);
    const clean = new URL(url.href);
    clean.username = "";
    clean.password = "";
    clean.search = "";
    clean.hash = "";
    return this.audited("repo.import", n, async (ok, recorded) => {
      // Before the name is reserved: an address this service may not connect to is the caller's error.
      await checkImportHost(url, this.env);
      const meta = this.newMeta(n, { description, readOnly, source: `git:${clean.href}` });
      // The remote's default branch decides ours.
      const { final, token } = await this.provision(
        meta,
        ok,
        (m, tok) => [
          { type: "cf.artifacts.repo.imported", meta: m, payload: { sourceUrl: clean.href, branch: branch ?? m.defaultBranch } },
          this.tokenCreatedEvent(m, tok),
        ],
        async (stub) => {
          const { defaultBranch, shallow } = await importRepo(stub, url, {
            ...(branch !== undefined ? { branch } : {}),
            ...(depth !== undefined ? { depth } : {}),
          });
          // Like the simulator, updatedAt is when the import completed (docs/contract.md "Result shapes").
          const updatedAt = nowIso();
          await stub.importDone(updatedAt, shallow);
          return { defaultBranch, updatedAt };
        },
        "importing",
      );
      recorded();
      return this.result(final, token.plaintext);
    });
  }

  /** `sourceId`, when given, is the id a repo handle was obtained for: a re-created source is NOT_FOUND. */
  async fork(sourceName: string, name: unknown, opts?: unknown, sourceId?: string): Promise<CreateRepoResult & { objects: number }> {
    this.authz("repo.fork");
    const n = checkRepoName(name);
    const { description, readOnly, defaultBranchOnly = true } = checkRepoOptions(opts);
    return this.audited("repo.fork", `${sourceName} -> ${n}`, async (ok, recorded) => {
      const src = await this.record(sourceName);
      if (sourceId !== undefined && src.id !== sourceId) throw repoNotFound(sourceName);
      const srcStub = this.repo(src.id);
      const srcRefs = await srcStub.refs().catch(() => {
        throw repoNotFound(sourceName);
      });
      const head = srcRefs.head;
      const branch = head.replace(/^refs\/heads\//, "");
      const refs = defaultBranchOnly ? srcRefs.refs.filter((r) => r.name === head) : srcRefs.refs;
      const meta = this.newMeta(n, { description, readOnly, defaultBranch: branch, source: `artifacts:${this.namespace}/${src.name}` });
      let objects = 0;
      const forked = (m: RepoMeta): EventSpec => ({
        type: "cf.artifacts.repo.forked",
        meta: m,
        payload: { namespace: this.namespace, repoName: m.name, ...repoFields(m) },
        source: { namespace: this.namespace, repoName: src.name },
      });
      const { token } = await this.provision(
        meta,
        ok,
        (m, tok) => [forked(m), this.tokenCreatedEvent(m, tok)],
        async (stub) => {
          try {
            const exp = await srcStub.exportPack(refs.map((r) => r.name));
            objects = (await stub.ingestPack(exp.pack, exp.refs, head)).objects;
            if (exp.shallow.length) await stub.setShallow(exp.shallow);
          } catch (e) {
            if (isArtifactsError(e)) throw e;
            log("error", "fork failed", { namespace: this.namespace, error: redact(String(e)) });
            throw new ArtifactsError("INTERNAL_ERROR", "Unable to fork Artifacts repository");
          }
        },
        "forking",
      );
      recorded();
      return { ...this.result(meta, token.plaintext), objects };
    });
  }

  async list(opts?: unknown, rest?: { search?: string; sort?: SortKey; direction?: "asc" | "desc"; offset?: number }) {
    this.authz("repo.list");
    const o = optObject(opts, "Artifacts list options");
    const limit = checkListLimit(o.limit);
    const cursor = typeof o.cursor === "string" ? o.cursor : undefined;
    return this.ns().list(this.namespace, { limit, ...(cursor ? { cursor } : {}), ...rest });
  }

  async delete(name: unknown): Promise<{ deleted: boolean; id?: string }> {
    this.authz("repo.delete");
    const n = checkRepoName(name);
    return this.audited("repo.delete", n, async (ok, recorded) => {
      // Three round trips: hide the record, empty the repo object, drop the record (with the
      // audit entry and the event). A crash in between leaves "deleting", which is swept.
      const ns = this.ns();
      const rec = await ns.markDeleting(this.namespace, n);
      if (!rec) return { deleted: false };
      await this.repo(rec.id).destroy();
      const { status: _status, ...meta } = rec;
      await ns.remove(rec.id, { audit: ok, events: [{ type: "cf.artifacts.repo.deleted", meta }] });
      recorded();
      return { deleted: true, id: rec.id };
    });
  }

  // ── per-repo operations (by id, so a stale handle never reaches a re-created repo) ──
  async info(id: string, name: string): Promise<RepoMeta & { remote: string }> {
    this.authz("repo.read", { repoId: id });
    const meta = await this.repo(id).info();
    if (!meta) throw repoNotFound(name);
    return { ...meta, remote: this.remote(meta.name) };
  }

  async createToken(id: string, name: string, scope?: unknown, ttl?: unknown): Promise<CreatedToken> {
    this.authz("token.create", { repoId: id });
    const s = checkScope(scope);
    const t = checkTtl(ttl);
    return this.audited("token.create", name, async (ok, recorded) => {
      // Two round trips: mint in the repo object (which answers with its metadata), then index,
      // audit and record the event in one registry transaction.
      const stub = this.repo(id);
      const r = await stub.mintToken(s, t);
      if (!r) throw repoNotFound(name);
      const tok = r.token;
      try {
        await this.ns().record({
          tokens: [{ id: tok.id, repoId: id, expiresAt: tok.expiresAt }],
          audit: ok,
          events: [{ type: "cf.artifacts.repo.token.created", meta: r.meta, payload: { tokenId: tok.id, scope: tok.scope, expiresAt: tok.expiresAt } }],
        });
      } catch (e) {
        // Never handed out: take it back so no token exists without its index entry and event.
        await stub.discardToken(tok.id).catch(() => {});
        throw e;
      }
      recorded();
      return tok;
    });
  }

  async revokeToken(id: string, name: string, tokenOrId: unknown): Promise<boolean> {
    this.authz("token.revoke", { repoId: id });
    const value = checkTokenOrId(tokenOrId);
    return this.audited("token.revoke", name, async (ok, recorded) => {
      const r = await this.repo(id)
        .revokeToken(value)
        .catch((e: unknown) => {
          // The repo object knows no name; report the caller's.
          throw (e as { code?: string }).code === "NOT_FOUND" ? repoNotFound(name) : e;
        });
      if (r.revoked && r.meta) {
        await this.ns().record({ audit: ok, events: [{ type: "cf.artifacts.repo.token.revoked", meta: r.meta, payload: { tokenId: r.tokenId } }] });
        recorded();
      }
      return r.revoked;
    });
  }
}

export { toArtifactsError };
