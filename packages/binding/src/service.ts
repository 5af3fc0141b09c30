/**
 * The Artifacts service: every control-plane operation, shared by the binding and the REST API.
 * Each method authorizes the caller through the one policy, validates input, does the work
 * against the Durable Objects, audits mutations and emits events.
 */
import type { Env, RepoMeta } from "./env.js";
import { ArtifactsError, invalidInput, repoNotFound, toArtifactsError } from "./errors.js";
import { authorize, principalLabel, type Action, type Principal, type Resource } from "./auth/policy.js";
import type { NamespaceObject, RepoRecord, SortKey } from "./namespace/namespace-object.js";
import type { CreatedToken, RepoObject } from "./repo/repo-object.js";
import { nowIso, randomId } from "./util/ids.js";
import { checkRepoName, checkRepoOptions, checkScope, checkTokenOrId, checkTtl, optObject, optString, checkListLimit, TTL_DEFAULT } from "./validate.js";
import { repoFields, type EventType } from "./namespace/events.js";
import { importRepo } from "./repo/import.js";

/** A policy refusal, mapped to 401/403 by REST (the binding's principal is never refused in its namespace). */
export class AccessDenied extends Error {
  constructor(
    readonly status: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

export interface CreateRepoResult {
  id: string;
  name: string;
  description: string | null;
  defaultBranch: string;
  remote: string;
  token: string;
}

export class ArtifactsService {
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
    if (!d.allow) throw new AccessDenied(d.status, d.reason);
  }

  ns(): DurableObjectStub<NamespaceObject> {
    return this.env.NAMESPACE.get(this.env.NAMESPACE.idFromName(this.namespace));
  }

  repo(id: string): DurableObjectStub<RepoObject> {
    return this.env.REPO.get(this.env.REPO.idFromName(`${this.namespace}/${id}`));
  }

  remote(name: string): string {
    return `${this.origin}/git/${encodeURIComponent(this.namespace)}/${encodeURIComponent(name)}.git`;
  }

  private async audited<T>(action: string, resource: string, fn: () => Promise<T>): Promise<T> {
    try {
      const r = await fn();
      await this.ns().audit({ principal: this.label, action, resource, outcome: "ok" });
      return r;
    } catch (e) {
      const err = toArtifactsError(e);
      await this.ns().audit({ principal: this.label, action, resource, outcome: "error", detail: `${err.code}: ${err.message}` }).catch(() => {});
      throw err;
    }
  }

  async emit(type: EventType, meta: RepoMeta, payload: Record<string, unknown> = {}, source?: { namespace: string; repoName: string }) {
    await this.ns().emit(type, meta, payload, source);
  }

  /** The record of a ready repo, or the contract's NOT_FOUND / *_IN_PROGRESS errors. */
  async record(name: string): Promise<RepoRecord> {
    const r = await this.ns().lookup(this.namespace, name);
    if (!r || r.status === "deleting") throw repoNotFound(name);
    if (r.status === "creating") throw new ArtifactsError("CREATE_IN_PROGRESS", `Repository is still being created: ${r.name}.`);
    return r;
  }

  // ── create, import, fork share one two-phase path ───────────────────────────
  private async provision(meta: RepoMeta, fill?: (stub: DurableObjectStub<RepoObject>) => Promise<Record<string, unknown>>): Promise<{ token: string; extra: Record<string, unknown> }> {
    const ns = this.ns();
    const { staleId } = await ns.reserve(this.namespace, meta);
    if (staleId) await this.repo(staleId).destroy().catch(() => {});
    const stub = this.repo(meta.id);
    try {
      await stub.init(meta);
      const extra = fill ? await fill(stub) : {};
      const tok = await stub.createToken("write", TTL_DEFAULT);
      await ns.indexToken(tok.id, meta.id);
      await ns.activate(meta.id);
      await this.account().namespaceChanged(this.namespace, 1);
      return { token: tok.plaintext, extra: { ...extra, tokenId: tok.id, tokenExpiresAt: tok.expiresAt } };
    } catch (e) {
      await stub.destroy().catch(() => {});
      await ns.release(meta.id).catch(() => {});
      throw e;
    }
  }

  account() {
    return this.env.ACCOUNT.get(this.env.ACCOUNT.idFromName("account"));
  }

  private newMeta(name: string, o: { description?: string | undefined; readOnly?: boolean | undefined; defaultBranch?: string | undefined; source?: string | null }): RepoMeta {
    const now = nowIso();
    return { id: randomId(), name, namespace: this.namespace, description: o.description ?? null, defaultBranch: o.defaultBranch ?? "main", createdAt: now, updatedAt: now, lastPushAt: null, source: o.source ?? null, readOnly: o.readOnly ?? false };
  }

  private result(meta: RepoMeta, token: string): CreateRepoResult {
    return { id: meta.id, name: meta.name, description: meta.description, defaultBranch: meta.defaultBranch, remote: this.remote(meta.name), token };
  }

  private async tokenCreatedEvent(meta: RepoMeta, extra: Record<string, unknown>) {
    await this.emit("cf.artifacts.repo.token.created", meta, { tokenId: extra.tokenId, scope: "write", expiresAt: extra.tokenExpiresAt });
  }

  async create(name: unknown, opts?: unknown): Promise<CreateRepoResult> {
    this.authz("repo.create");
    const n = checkRepoName(name);
    const { description, readOnly, setDefaultBranch } = checkRepoOptions(opts);
    return this.audited("repo.create", n, async () => {
      const meta = this.newMeta(n, { description, readOnly, defaultBranch: setDefaultBranch });
      const { token, extra } = await this.provision(meta);
      await this.emit("cf.artifacts.repo.created", meta);
      await this.tokenCreatedEvent(meta, extra);
      return this.result(meta, token);
    });
  }

  async import(params: unknown): Promise<CreateRepoResult> {
    this.authz("repo.import");
    if (!params || typeof params !== "object") throw invalidInput("Artifacts import options are required");
    const p = params as { source?: unknown; target?: unknown };
    // The simulator checks the target name first, then the URL, then the depth (contract §3.2).
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
    if (url.protocol !== "https:" && !(url.protocol === "http:" && (this.env as { ALLOW_HTTP_IMPORT?: string }).ALLOW_HTTP_IMPORT)) throw invalidInput("Invalid source.url: must be an HTTPS URL.");
    const branch = optString(src.branch, "Invalid source.branch: must be a string.");
    if (src.depth !== undefined && (typeof src.depth !== "number" || !Number.isSafeInteger(src.depth) || src.depth < 1)) throw invalidInput("Invalid source.depth: must be a positive integer.");
    const depth = src.depth as number | undefined;
    // import's target.opts may be null, like the simulator's `target.opts ?? {}`
    const { description, readOnly } = checkRepoOptions(target.opts ?? undefined);
    const clean = new URL(url.href);
    clean.username = "";
    clean.password = "";
    clean.search = "";
    clean.hash = "";
    return this.audited("repo.import", n, async () => {
      // The remote's default branch decides ours, so look before reserving the name.
      let imported: { defaultBranch: string; objects: number } | undefined;
      const meta = this.newMeta(n, { description, readOnly, source: `git:${clean.href}` });
      const { token, extra } = await this.provision(meta, async (stub) => {
        imported = await importRepo(stub, url, { ...(branch !== undefined ? { branch } : {}), ...(depth !== undefined ? { depth } : {}) });
        return {};
      });
      const final = { ...meta, defaultBranch: imported!.defaultBranch };
      await this.emit("cf.artifacts.repo.imported", final, { sourceUrl: clean.href, branch: branch ?? imported!.defaultBranch });
      await this.tokenCreatedEvent(final, extra);
      return this.result(final, token);
    });
  }

  /** `sourceId`, when given, is the id a repo handle was obtained for: a re-created source is NOT_FOUND. */
  async fork(sourceName: string, name: unknown, opts?: unknown, sourceId?: string): Promise<CreateRepoResult & { objects: number }> {
    this.authz("repo.fork");
    const n = checkRepoName(name);
    const { description, readOnly, defaultBranchOnly = true } = checkRepoOptions(opts);
    return this.audited("repo.fork", `${sourceName} -> ${n}`, async () => {
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
      const { token, extra } = await this.provision(meta, async (stub) => {
        const exp = await srcStub.fetch(`https://repo/_internal/export?refs=${encodeURIComponent(JSON.stringify(refs.map((r) => r.name)))}`);
        const exported = JSON.parse(exp.headers.get("X-Refs") ?? "[]") as Array<{ name: string; oid: string }>;
        const ing = await stub.fetch(`https://repo/_internal/ingest?refs=${encodeURIComponent(JSON.stringify(exported))}&head=${encodeURIComponent(head)}`, { method: "POST", body: exp.body });
        if (!ing.ok) throw new ArtifactsError("INTERNAL_ERROR", "Unable to fork Artifacts repository");
        objects = ((await ing.json()) as { objects: number }).objects;
        return {};
      });
      await this.emit("cf.artifacts.repo.forked", meta, { namespace: this.namespace, repoName: meta.name, ...repoFields(meta) }, { namespace: this.namespace, repoName: src.name });
      await this.tokenCreatedEvent(meta, extra);
      return { ...this.result(meta, token), objects };
    });
  }

  async list(opts?: unknown, rest?: { search?: string; sort?: SortKey; direction?: "asc" | "desc" }) {
    this.authz("repo.list");
    const o = optObject(opts, "Artifacts list options");
    const limit = checkListLimit(o.limit);
    const cursor = typeof o.cursor === "string" ? o.cursor : undefined;
    return this.ns().list(this.namespace, { limit, ...(cursor ? { cursor } : {}), ...rest });
  }

  async delete(name: unknown): Promise<{ deleted: boolean; id?: string }> {
    this.authz("repo.delete");
    const n = checkRepoName(name);
    return this.audited("repo.delete", n, async () => {
      const ns = this.ns();
      const rec = await ns.markDeleting(this.namespace, n);
      if (!rec) return { deleted: false };
      await this.repo(rec.id).destroy();
      await ns.remove(rec.id);
      await this.account().namespaceChanged(this.namespace, -1);
      await this.emit("cf.artifacts.repo.deleted", rec);
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
    return this.audited("token.create", name, async () => {
      const stub = this.repo(id);
      const meta = await stub.info();
      if (!meta) throw repoNotFound(name);
      const tok = await stub.createToken(s, t);
      await this.ns().indexToken(tok.id, id);
      await this.emit("cf.artifacts.repo.token.created", meta, { tokenId: tok.id, scope: tok.scope, expiresAt: tok.expiresAt });
      return tok;
    });
  }

  async revokeToken(id: string, name: string, tokenOrId: unknown): Promise<boolean> {
    this.authz("token.revoke", { repoId: id });
    const value = checkTokenOrId(tokenOrId);
    return this.audited("token.revoke", name, async () => {
      const stub = this.repo(id);
      const meta = await stub.info();
      if (!meta) throw repoNotFound(name);
      const r = await stub.revokeToken(value);
      if (r.revoked) await this.emit("cf.artifacts.repo.token.revoked", meta, { tokenId: r.tokenId });
      return r.revoked;
    });
  }
}

export { toArtifactsError };
