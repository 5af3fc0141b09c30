/**
 * receive-pack (gitprotocol-pack "Pushing Data To a Server", "Report Status"). Push is always
 * v0/v1, even when the client prefers v2. Order of work (docs/git-protocol.md "Receive-pack"):
 * commands → pack into a quarantine (fully checked) → connectivity from the new tips →
 * one compare-and-swap transaction for the refs → report. Any failure leaves refs and live
 * objects exactly as they were.
 */
import type { ByteReader } from "../io/byte-reader.js";
import { readPkt, pktText } from "../pktline/decode.js";
import { FLUSH, pktLine } from "../pktline/encode.js";
import { sidebandPackets, sidebandText } from "../pktline/sideband.js";
import { ZERO_OID, isOid, type Oid } from "../objects/oid.js";
import { TREE_ENTRY_GITLINK } from "../objects/tree.js";
import { GitError, LimitExceededError, ProtocolError } from "../errors.js";
import { FsckError, ObjectTypeError } from "../objects/fsck.js";
import { ObjectDb } from "../storage/object-db.js";
import type { Quarantine, RepoStore, RefUpdate } from "../storage/types.js";
import { ingestPack, type IngestOptions, type IngestStats } from "../pack/ingest.js";
import { isValidRefName } from "../refs/refname.js";
import { parseCaps } from "./capabilities.js";

export interface PushCommand {
  old: Oid;
  new: Oid;
  name: string;
}

export interface PushRequest {
  commands: PushCommand[];
  caps: Map<string, string>;
  options: string[];
}

export interface PushLimits {
  maxRefsPerPush: number;
  maxObjectSize: number;
}

export const DEFAULT_PUSH_LIMITS: PushLimits = { maxRefsPerPush: 1000, maxObjectSize: 100 * 1024 * 1024 };

/** What happened, for callers that log, audit or emit events. */
export interface PushOutcome {
  updated: Array<{ name: string; old: Oid; new: Oid }>;
  rejected: Array<{ name: string; reason: string }>;
  unpackError?: string;
  objects: number;
}

export async function parsePushCommands(r: ByteReader, limits: PushLimits = DEFAULT_PUSH_LIMITS): Promise<PushRequest> {
  const commands: PushCommand[] = [];
  let caps = new Map<string, string>();
  for (;;) {
    const p = await readPkt(r);
    if (!p) {
      if (commands.length === 0) break; // empty body
      throw new ProtocolError("protocol error: unexpected end of push commands");
    }
    if (p.kind === "flush") break;
    if (p.kind !== "data") throw new ProtocolError("protocol error: unexpected special packet in push commands");
    let line = pktText(p);
    const nul = line.indexOf("\0");
    if (nul >= 0) {
      if (commands.length === 0) caps = parseCaps(line.slice(nul + 1));
      line = line.slice(0, nul);
    }
    if (line.startsWith("shallow ")) continue; // a shallow client tells us its boundary; we are never shallow
    const m = /^([0-9a-f]{40}) ([0-9a-f]{40}) (.+)$/.exec(line);
    if (!m) throw new ProtocolError(`protocol error: expected old/new/ref, got '${line.slice(0, 100)}'`);
    commands.push({ old: m[1]!, new: m[2]!, name: m[3]! });
    if (commands.length > 100 * limits.maxRefsPerPush) throw new LimitExceededError(`too many ref updates in one push (limit ${limits.maxRefsPerPush})`);
  }
  const options: string[] = [];
  if (caps.has("push-options") && commands.length > 0) {
    for (;;) {
      const p = await readPkt(r);
      if (!p || p.kind === "flush") break;
      if (p.kind === "data") options.push(pktText(p));
    }
  }
  const fmt = caps.get("object-format");
  if (fmt && fmt !== "sha1") throw new ProtocolError(`unsupported object format '${fmt}': this server stores sha1 repositories only`);
  return { commands, caps, options };
}

/** Walk new objects from each new tip; stop at live objects (their closure is live by invariant). */
async function missingFrom(tip: Oid, odb: ObjectDb, q: Quarantine | undefined, store: RepoStore, checked: Set<Oid>): Promise<boolean> {
  const stack = [tip];
  while (stack.length) {
    const oid = stack.pop()!;
    if (checked.has(oid)) continue;
    checked.add(oid);
    if ((await store.hasMany([oid]))[0]) continue;
    if (!q || !(await q.hasMany([oid]))[0]) return true;
    const o = await odb.read(oid);
    if (o.type === "commit") {
      const c = await odb.commit(oid);
      stack.push(c.tree, ...c.parents);
    } else if (o.type === "tree") {
      const { oids, kinds } = await odb.treeLinks(oid);
      for (let i = 0; i < oids.length; i++) if (kinds[i] !== TREE_ENTRY_GITLINK) stack.push(oids[i]!);
    } else if (o.type === "tag") {
      stack.push((await odb.tag(oid)).object);
    }
  }
  return false;
}

/**
 * Run a push. `body` is positioned after the commands (at the pack). Yields the response bytes
 * (report-status, side-banded when asked, with progress on band 2), then returns the outcome.
 */
export async function* receivePack(
  req: PushRequest,
  body: ByteReader,
  store: RepoStore,
  opts: { limits?: PushLimits; onOutcome?: (o: PushOutcome) => void | Promise<void> } = {},
): AsyncGenerator<Uint8Array, PushOutcome> {
  const limits = opts.limits ?? DEFAULT_PUSH_LIMITS;
  const sideband = req.caps.has("side-band-64k") ? 65515 : req.caps.has("side-band") ? 999 : 0;
  const quiet = req.caps.has("quiet");
  const atomic = req.caps.has("atomic");
  const report = req.caps.has("report-status") || req.caps.has("report-status-v2");
  const progress: string[] = [];
  const outcome: PushOutcome = { updated: [], rejected: [], objects: 0 };

  // Over the ref limit: refuse the whole push in the report (on side-band when asked, so git shows it),
  // without reading the pack.
  const tooMany =
    req.commands.length > limits.maxRefsPerPush ? `too many ref updates in one push (${req.commands.length}; limit ${limits.maxRefsPerPush})` : undefined;
  const needsPack = !tooMany && req.commands.some((c) => c.new !== ZERO_OID);
  // Lines git shows as "remote: error: ..." whatever `quiet` says (receive-pack's rp_error).
  const errors: string[] = [];
  let q: Quarantine | undefined;
  let unpackError: string | undefined = tooMany;
  const ingestOpts: IngestOptions = { maxObjectSize: limits.maxObjectSize, checkLinks: true, fsck: true };
  let stats: IngestStats | undefined;
  const results: Array<string | null> = req.commands.map(() => null); // per command: error reason, null = ok
  try {
    if (needsPack) {
      q = await store.beginQuarantine();
      try {
        stats = await ingestPack(body, store, q, ingestOpts);
        outcome.objects = stats.objects;
        if (!quiet) progress.push(`Resolving deltas: 100% (${stats.deltas}/${stats.deltas}), done.\n`);
      } catch (e) {
        if (!(e instanceof GitError)) throw e;
        if (e instanceof FsckError || e instanceof ObjectTypeError) {
          // As git's index-pack --strict: the object's problem on stderr, then a generic unpack error.
          errors.push(`error: ${e.message}`, e instanceof FsckError ? "fatal: fsck error in packed object" : "fatal: Error in object");
          unpackError = "index-pack abnormal exit";
        } else unpackError = e.message;
      }
    }
    await body.drain().catch(() => 0);

    if (unpackError !== undefined) {
      if (q) await store.abort(q);
      q = undefined;
      results.fill("unpacker error");
      outcome.unpackError = unpackError;
    } else {
      const odb = new ObjectDb(q ? [q, store] : [store]);
      odb.shallow = new Set((await store.shallow?.()) ?? []);
      const checked = new Set<Oid>();
      const head = await store.getHead();
      const updates: RefUpdate[] = [];
      const updateIndex: number[] = [];
      const seen = new Set<string>();
      // When ingest saw that every object of the pack links only into the pack or to live objects,
      // a tip is connected iff it is in the pack or live: no walk needed (same answers as missingFrom).
      const fast = stats?.selfContained === true && stats.inPack ? stats.inPack : undefined;
      for (const [i, c] of req.commands.entries()) {
        let reason: string | undefined;
        if (!isValidRefName(c.name)) reason = "funny refname";
        else if (!isOid(c.old) || !isOid(c.new)) reason = "funny refname";
        else if (seen.has(c.name)) {
          // git applies commands one by one, so a second one for the same ref no longer matches
          // its old value ("cannot lock ref"); one transaction here refuses it outright.
          errors.push(`error: cannot lock ref '${c.name}': more than one update of this ref in one push`);
          reason = "failed to update ref";
        } else if (c.new === ZERO_OID && c.name === head) {
          // receive.denyDeleteCurrent (git's default: refuse).
          errors.push(`error: refusing to delete the current branch: ${c.name}`);
          reason = "deletion of the current branch prohibited";
        } else if (c.new !== ZERO_OID) {
          try {
            if (fast) {
              if (!fast(c.new) && !(await store.hasMany([c.new]))[0]) reason = "missing necessary objects";
            } else if (await missingFrom(c.new, odb, q, store, checked)) reason = "missing necessary objects";
            if (!reason && c.name.startsWith("refs/heads/")) {
              const type = await odb.type(c.new);
              if (type !== "commit") {
                errors.push(`error: cannot update ref '${c.name}': trying to write non-commit object ${c.new} to branch '${c.name}'`);
                reason = "failed to update ref";
              }
            }
          } catch (e) {
            reason = e instanceof GitError ? `missing necessary objects` : "internal error";
          }
        }
        seen.add(c.name);
        if (reason) results[i] = reason;
        else {
          updates.push({ name: c.name, old: c.old, new: c.new });
          updateIndex.push(i);
        }
      }
      if (atomic && results.some((r) => r !== null)) {
        for (const i of updateIndex) results[i] = "atomic push failure";
        if (q) await store.abort(q);
        q = undefined;
      } else {
        const rs = await store.commit(q, updates, { atomic });
        q = undefined; // commit took it over (promoted or discarded)
        rs.forEach((r, k) => (results[updateIndex[k]!] = r.ok ? null : r.reason));
      }
    }
  } finally {
    // An unexpected failure must not leave the push's quarantine behind.
    if (q) await store.abort(q).catch(() => {});
  }
  for (const [i, c] of req.commands.entries()) {
    const reason = results[i];
    if (reason) outcome.rejected.push({ name: c.name, reason });
    else outcome.updated.push({ name: c.name, old: c.old, new: c.new });
  }
  await opts.onOutcome?.(outcome);

  if (sideband) for (const e of errors) yield sidebandText(2, `${e}\n`);
  if (sideband && !quiet) for (const p of progress) yield sidebandText(2, p);
  if (!report) {
    if (sideband) yield FLUSH;
    return outcome;
  }
  const lines: Uint8Array[] = [pktLine(unpackError === undefined ? "unpack ok" : `unpack ${oneLine(unpackError)}`)];
  for (const [i, c] of req.commands.entries()) {
    const reason = results[i];
    lines.push(pktLine(reason ? `ng ${c.name} ${reason}` : `ok ${c.name}`));
  }
  lines.push(FLUSH);
  if (sideband) {
    let total = 0;
    for (const l of lines) total += l.length;
    const all = new Uint8Array(total);
    let o = 0;
    for (const l of lines) {
      all.set(l, o);
      o += l.length;
    }
    yield* sidebandPackets(1, all, sideband);
    yield FLUSH;
  } else {
    yield* lines;
  }
  return outcome;
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ").slice(0, 900);
}
