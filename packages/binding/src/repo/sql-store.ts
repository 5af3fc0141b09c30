/**
 * RepoStore over Durable Object SQLite (docs/git-protocol.md "Storage schema"). Objects keep their pack-entry form;
 * payloads are split into rows of at most 1 MiB because a SQLite row may not exceed 2 MB on
 * Cloudflare (local workerd does not enforce it, so we do). Pushed objects carry a quarantine id
 * and are promoted in the same synchronous transaction that compare-and-swaps the refs.
 */
import { formatBytes } from "../limits.js";
import {
  LimitExceededError,
  ZERO_OID,
  type Oid,
  type ObjectType,
  type Quarantine,
  type Ref,
  type RefUpdate,
  type RefUpdateResult,
  type RepoStore,
  type StoredObject,
} from "@artifacts-emulator/git";

export const CHUNK = 1024 * 1024;
const TYPES: ObjectType[] = ["commit", "tree", "blob", "tag"];
const typeNum = (t: ObjectType) => TYPES.indexOf(t) + 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS objects (
  id INTEGER PRIMARY KEY,
  oid TEXT NOT NULL,
  quarantine INTEGER NOT NULL DEFAULT 0,
  type INTEGER NOT NULL,
  size INTEGER NOT NULL,
  base TEXT,
  delta_size INTEGER,
  depth INTEGER NOT NULL,
  zlen INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS objects_oid ON objects(oid, quarantine);
CREATE INDEX IF NOT EXISTS objects_quarantine ON objects(quarantine) WHERE quarantine <> 0;
CREATE TABLE IF NOT EXISTS payload (obj INTEGER NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (obj, seq));
CREATE TABLE IF NOT EXISTS refs (name TEXT PRIMARY KEY, oid TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pushes (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS kv (k TEXT PRIMARY KEY, v TEXT);
`;

/**
 * The bytes of `u8` as an ArrayBuffer of exactly that length. Copy with `new Uint8Array(u8)`,
 * never `u8.slice()`: the engine's deflate returns a Node Buffer (node:zlib), whose slice is a
 * view, so `.slice().buffer` would be the whole allocation and every row would get all of it.
 */
function toBuffer(u8: Uint8Array): ArrayBuffer {
  return u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength ? (u8.buffer as ArrayBuffer) : (new Uint8Array(u8).buffer as ArrayBuffer);
}

interface ObjectRow {
  id: number;
  type: number;
  size: number;
  base: string | null;
  delta_size: number | null;
  depth: number;
  zlen: number;
  [k: string]: SqlStorageValue;
}

/** Limits checked as a push (or an import or fork) writes its objects (docs/architecture.md). */
export interface StoreLimits {
  /** Stored bytes (compressed, as kept) the repository may hold once the push is in. */
  maxRepoBytes?: number;
  /** Largest object, inflated, a push may bring. */
  maxObjectBytes?: number;
}

export class SqlQuarantine implements Quarantine {
  /** Stored bytes this quarantine has added so far. */
  bytes = 0;
  /** Set once the request that opened it is over: a late write of a cut-off push is refused. */
  closed = false;
  constructor(
    readonly store: SqlRepoStore,
    readonly id: number,
  ) {}
  async put(objects: ReadonlyArray<readonly [Oid, StoredObject]>) {
    if (this.closed) throw new Error("push aborted: its request is over");
    const { maxRepoBytes, maxObjectBytes } = this.store.limits;
    let add = 0;
    for (const [oid, o] of objects) {
      // The reader refuses oversized entries by their header; a delta can still resolve to more.
      if (maxObjectBytes !== undefined && o.size > maxObjectBytes)
        throw new LimitExceededError(`object ${oid} is ${o.size} bytes; objects larger than ${formatBytes(maxObjectBytes)} are not accepted`);
      add += o.zdata.length;
    }
    if (maxRepoBytes !== undefined && this.store.liveBytes() + this.bytes + add > maxRepoBytes) {
      // The engine's own limit error: receive-pack reports it as `unpack <message>`.
      throw new LimitExceededError(`repository size limit exceeded: the repository would hold more than ${formatBytes(maxRepoBytes)}`);
    }
    this.bytes += this.store.insert(objects, this.id);
  }
  async hasMany(oids: readonly Oid[]) {
    return this.store.hasIn(oids, this.id);
  }
  async get(oid: Oid) {
    return this.store.read(oid, this.id);
  }
}

export class SqlRepoStore implements RepoStore {
  limits: StoreLimits = {};
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly maxQuarantineAgeMs = 60 * 60 * 1000,
  ) {
    for (const stmt of SCHEMA.split(";")
      .map((s) => s.trim())
      .filter(Boolean))
      storage.sql.exec(stmt);
  }

  /**
   * Stored bytes of live objects (payload as kept: compressed). A counter kept in the same
   * transactions that make objects live, so checking a push against the size limit never scans
   * the repository; computed once for repositories written before the counter existed.
   */
  liveBytes(): number {
    const v = this.kvGet("live_bytes");
    if (v !== undefined) return Number(v);
    const n = this.sql.exec<{ b: number | null }>("SELECT sum(zlen) AS b FROM objects WHERE quarantine = 0").one().b ?? 0;
    this.kvSet("live_bytes", String(n));
    return n;
  }
  private addLiveBytes(n: number) {
    if (n) this.kvSet("live_bytes", String(this.liveBytes() + n));
  }

  private get sql() {
    return this.storage.sql;
  }

  /** Insert objects not already live or in this quarantine; returns the stored bytes added. */
  insert(objects: ReadonlyArray<readonly [Oid, StoredObject]>, quarantine: number): number {
    return this.storage.transactionSync(() => {
      let added = 0;
      for (const [oid, o] of objects) {
        const exists = this.sql.exec("SELECT 1 FROM objects WHERE oid = ? AND quarantine IN (0, ?) LIMIT 1", oid, quarantine).toArray().length > 0;
        if (exists) continue;
        added += o.zdata.length;
        const id = this.sql
          .exec<{ id: number }>(
            "INSERT INTO objects (oid, quarantine, type, size, base, delta_size, depth, zlen) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            oid,
            quarantine,
            typeNum(o.type),
            o.size,
            o.base ?? null,
            o.deltaSize ?? null,
            o.depth,
            o.zdata.length,
          )
          .one().id;
        for (let seq = 0, off = 0; off < o.zdata.length || seq === 0; seq++, off += CHUNK) {
          this.sql.exec("INSERT INTO payload (obj, seq, data) VALUES (?, ?, ?)", id, seq, toBuffer(o.zdata.subarray(off, off + CHUNK)));
        }
      }
      if (quarantine === 0) this.addLiveBytes(added);
      return added;
    });
  }

  hasIn(oids: readonly Oid[], quarantine: number): boolean[] {
    const found = new Set<string>();
    // At most 100 bound parameters per statement on Cloudflare.
    for (let i = 0; i < oids.length; i += 90) {
      const batch = oids.slice(i, i + 90);
      const rows = this.sql.exec<{ oid: string }>(
        `SELECT oid FROM objects WHERE quarantine = ? AND oid IN (${batch.map(() => "?").join(",")})`,
        quarantine,
        ...batch,
      );
      for (const r of rows) found.add(r.oid);
    }
    return oids.map((o) => found.has(o));
  }

  read(oid: Oid, quarantine: number): StoredObject | undefined {
    const row = this.sql
      .exec<ObjectRow>("SELECT id, type, size, base, delta_size, depth, zlen FROM objects WHERE oid = ? AND quarantine = ?", oid, quarantine)
      .toArray()[0];
    if (!row) return undefined;
    // Rows are copied as the cursor steps (not gathered with toArray first), so a big object is held
    // once plus one row, not as all its rows and the copy at the same time.
    let zdata: Uint8Array | undefined;
    let off = 0;
    for (const c of this.sql.exec<{ data: ArrayBuffer }>("SELECT data FROM payload WHERE obj = ? ORDER BY seq", row.id)) {
      if (!zdata && c.data.byteLength === row.zlen) zdata = new Uint8Array(c.data);
      else {
        zdata ??= new Uint8Array(row.zlen);
        zdata.set(new Uint8Array(c.data), off);
      }
      off += c.data.byteLength;
    }
    if (!zdata || off !== row.zlen) throw new Error(`object ${oid}: stored payload has ${off} of ${row.zlen} bytes`);
    const o: StoredObject = { type: TYPES[row.type - 1]!, size: row.size, zdata, depth: row.depth };
    if (row.base) {
      o.base = row.base;
      o.deltaSize = row.delta_size ?? 0;
    }
    return o;
  }

  async hasMany(oids: readonly Oid[]) {
    return this.hasIn(oids, 0);
  }
  /** Live objects' types without their payloads (receive-pack checks a pushed tree's links with it). */
  async types(oids: readonly Oid[]): Promise<Array<ObjectType | undefined>> {
    const found = new Map<string, ObjectType>();
    for (let i = 0; i < oids.length; i += 90) {
      const batch = oids.slice(i, i + 90);
      for (const r of this.sql.exec<{ oid: string; type: number }>(
        `SELECT oid, type FROM objects WHERE quarantine = 0 AND oid IN (${batch.map(() => "?").join(",")})`,
        ...batch,
      ))
        found.set(r.oid, TYPES[r.type - 1]!);
    }
    return oids.map((o) => found.get(o));
  }
  async get(oid: Oid) {
    return this.read(oid, 0);
  }
  async listRefs(): Promise<Ref[]> {
    return this.sql
      .exec<{ name: string; oid: string }>("SELECT name, oid FROM refs ORDER BY name")
      .toArray()
      .map((r) => ({ name: r.name, oid: r.oid }));
  }
  async readRef(name: string) {
    return this.sql.exec<{ oid: string }>("SELECT oid FROM refs WHERE name = ?", name).toArray()[0]?.oid;
  }
  async getHead() {
    return this.kvGet("HEAD") ?? "refs/heads/main";
  }
  async setHead(target: string) {
    this.kvSet("HEAD", target);
  }
  /** A shallow import's boundary (docs/contract.md "Namespace methods" `source.depth`): commits whose parents are not here. */
  async shallow(): Promise<Oid[]> {
    return this.shallowList();
  }
  shallowList(): Oid[] {
    const v = this.kvGet("shallow");
    return v ? (JSON.parse(v) as Oid[]) : [];
  }
  setShallow(oids: readonly Oid[]) {
    this.kvSet("shallow", JSON.stringify([...new Set(oids)].sort()));
  }
  kvGet(k: string): string | undefined {
    return this.sql.exec<{ v: string }>("SELECT v FROM kv WHERE k = ?", k).toArray()[0]?.v;
  }
  kvSet(k: string, v: string) {
    this.sql.exec("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v", k, v);
  }
  async putObjects(objects: ReadonlyArray<readonly [Oid, StoredObject]>) {
    this.insert(objects, 0);
  }
  async beginQuarantine(): Promise<Quarantine> {
    const id = this.sql.exec<{ id: number }>("INSERT INTO pushes (started_at) VALUES (?) RETURNING id", Date.now()).one().id;
    return new SqlQuarantine(this, id);
  }
  private drop(quarantine: number) {
    this.sql.exec("DELETE FROM payload WHERE obj IN (SELECT id FROM objects WHERE quarantine = ?)", quarantine);
    this.sql.exec("DELETE FROM objects WHERE quarantine = ?", quarantine);
    this.sql.exec("DELETE FROM pushes WHERE id = ?", quarantine);
  }
  async abort(q: Quarantine) {
    const id = (q as SqlQuarantine).id;
    this.storage.transactionSync(() => this.drop(id));
  }

  async commit(q: Quarantine | undefined, updates: readonly RefUpdate[], opts: { atomic: boolean }): Promise<RefUpdateResult[]> {
    const qid = q ? (q as SqlQuarantine).id : undefined;
    return this.storage.transactionSync(() => {
      const results: RefUpdateResult[] = updates.map((u) => {
        const cur = this.sql.exec<{ oid: string }>("SELECT oid FROM refs WHERE name = ?", u.name).toArray()[0]?.oid ?? ZERO_OID;
        return cur === u.old ? { name: u.name, ok: true } : { name: u.name, ok: false, reason: "failed to update ref" };
      });
      if (opts.atomic && results.some((r) => !r.ok)) {
        if (qid !== undefined) this.drop(qid);
        return results.map((r) => (r.ok ? { name: r.name, ok: false as const, reason: "atomic push failure" } : r));
      }
      if (qid !== undefined) {
        if (results.some((r) => r.ok)) {
          // Objects another push made live meanwhile are duplicates: keep the live copy.
          this.sql.exec(
            "DELETE FROM payload WHERE obj IN (SELECT q.id FROM objects q WHERE q.quarantine = ? AND EXISTS (SELECT 1 FROM objects l WHERE l.oid = q.oid AND l.quarantine = 0))",
            qid,
          );
          this.sql.exec("DELETE FROM objects WHERE quarantine = ? AND oid IN (SELECT oid FROM objects WHERE quarantine = 0)", qid);
          this.addLiveBytes(this.sql.exec<{ b: number | null }>("SELECT sum(zlen) AS b FROM objects WHERE quarantine = ?", qid).one().b ?? 0);
          this.sql.exec("UPDATE objects SET quarantine = 0 WHERE quarantine = ?", qid);
          this.sql.exec("DELETE FROM pushes WHERE id = ?", qid);
        } else this.drop(qid);
      }
      updates.forEach((u, i) => {
        if (!results[i]!.ok) return;
        if (u.new === ZERO_OID) this.sql.exec("DELETE FROM refs WHERE name = ?", u.name);
        else this.sql.exec("INSERT INTO refs (name, oid) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET oid = excluded.oid", u.name, u.new);
      });
      return results;
    });
  }

  /**
   * The request that opened `q` is over (answered, cut off or failed): drop what it left. After a
   * commit or an abort there is nothing left, and this changes nothing.
   */
  release(q: SqlQuarantine) {
    q.closed = true;
    this.storage.transactionSync(() => this.drop(q.id));
  }

  /** Number of open quarantines (pushes, imports or forks in flight or left behind). */
  quarantineCount(): number {
    return this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM pushes").one().n;
  }

  /**
   * Drop quarantines of pushes that died mid-way (crash, cancelled request). `maxAgeMs` 0 drops
   * them all: when the object starts, no request of an earlier instance can still be running.
   */
  sweepQuarantines(now = Date.now(), maxAgeMs = this.maxQuarantineAgeMs) {
    const stale = this.sql.exec<{ id: number }>("SELECT id FROM pushes WHERE started_at <= ?", now - maxAgeMs).toArray();
    for (const { id } of stale) this.storage.transactionSync(() => this.drop(id));
    return stale.length;
  }

  /** The largest value in each table that holds data (Cloudflare refuses rows over 2 MB). */
  largestRows(): Record<string, number> {
    const max = (q: string) => this.sql.exec<{ n: number | null }>(q).one().n ?? 0;
    return {
      payload: max("SELECT max(length(data)) AS n FROM payload"),
      objects: max("SELECT max(length(oid) + coalesce(length(base), 0) + 48) AS n FROM objects"),
      refs: max("SELECT max(length(name) + length(oid)) AS n FROM refs"),
      kv: max("SELECT max(length(k) + length(v)) AS n FROM kv"),
    };
  }

  objectStats(): { objects: number; bytes: number } {
    const r = this.sql.exec<{ n: number; b: number | null }>("SELECT count(*) AS n, sum(zlen) AS b FROM objects WHERE quarantine = 0").one();
    return { objects: r.n, bytes: r.b ?? 0 };
  }
}
