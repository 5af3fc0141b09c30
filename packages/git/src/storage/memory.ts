/** Reference in-memory RepoStore: the dev server's storage and the model for the Durable Object store. */
import { ZERO_OID, type Oid } from "../objects/oid.js";
import type { ObjectStore, Quarantine, Ref, RefUpdate, RefUpdateResult, RepoStore, StoredObject } from "./types.js";

class MemoryQuarantine implements Quarantine {
  readonly objects = new Map<Oid, StoredObject>();
  discarded = false;
  async put(objs: ReadonlyArray<readonly [Oid, StoredObject]>) {
    if (this.discarded) throw new Error("quarantine already discarded");
    for (const [oid, o] of objs) this.objects.set(oid, o);
  }
  async hasMany(oids: readonly Oid[]) {
    return oids.map((o) => this.objects.has(o));
  }
  async get(oid: Oid) {
    return this.objects.get(oid);
  }
}

export class MemoryRepoStore implements RepoStore, ObjectStore {
  private objects = new Map<Oid, StoredObject>();
  private refs = new Map<string, Oid>();
  private head = "refs/heads/main";

  constructor(opts: { defaultBranch?: string } = {}) {
    if (opts.defaultBranch) this.head = `refs/heads/${opts.defaultBranch}`;
  }

  /** Quarantines begun and not yet committed or aborted (tests check that none is left behind). */
  private open = new Set<MemoryQuarantine>();

  get objectCount() {
    return this.objects.size;
  }

  get openQuarantines() {
    return this.open.size;
  }

  async hasMany(oids: readonly Oid[]) {
    return oids.map((o) => this.objects.has(o));
  }
  async get(oid: Oid) {
    return this.objects.get(oid);
  }
  async types(oids: readonly Oid[]) {
    return oids.map((o) => this.objects.get(o)?.type);
  }
  async listRefs(): Promise<Ref[]> {
    return [...this.refs].map(([name, oid]) => ({ name, oid })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  async readRef(name: string) {
    return this.refs.get(name);
  }
  async getHead() {
    return this.head;
  }
  async setHead(target: string) {
    this.head = target;
  }
  async putObjects(objs: ReadonlyArray<readonly [Oid, StoredObject]>) {
    for (const [oid, o] of objs) if (!this.objects.has(oid)) this.objects.set(oid, o);
  }
  async beginQuarantine(): Promise<Quarantine> {
    const q = new MemoryQuarantine();
    this.open.add(q);
    return q;
  }
  async abort(q: Quarantine) {
    const mq = q as MemoryQuarantine;
    this.open.delete(mq);
    mq.discarded = true;
    mq.objects.clear();
  }

  // Synchronous body: nothing can interleave between the checks and the writes.
  async commit(q: Quarantine | undefined, updates: readonly RefUpdate[], opts: { atomic: boolean }): Promise<RefUpdateResult[]> {
    const results: RefUpdateResult[] = updates.map((u) => {
      const cur = this.refs.get(u.name) ?? ZERO_OID;
      return cur === u.old ? { name: u.name, ok: true } : { name: u.name, ok: false, reason: "failed to update ref" };
    });
    if (opts.atomic && results.some((r) => !r.ok)) {
      const mq = q as MemoryQuarantine | undefined;
      if (mq) await this.abort(mq);
      return results.map((r) => (r.ok ? { name: r.name, ok: false, reason: "atomic push failure" } : r));
    }
    const anyOk = results.some((r) => r.ok);
    const mq = q as MemoryQuarantine | undefined;
    if (mq && anyOk) for (const [oid, o] of mq.objects) if (!this.objects.has(oid)) this.objects.set(oid, o);
    if (mq) {
      this.open.delete(mq);
      mq.discarded = true;
      mq.objects.clear();
    }
    updates.forEach((u, i) => {
      if (!results[i]!.ok) return;
      if (u.new === ZERO_OID) this.refs.delete(u.name);
      else this.refs.set(u.name, u.new);
    });
    return results;
  }
}
