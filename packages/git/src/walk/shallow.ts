/**
 * Shallow boundaries (gitprotocol-pack "Shallow Clone and Fetch"; git's shallow.c semantics):
 * `deepen N` marks commits at distance N-1 from the wants as shallow; `deepen-since` and
 * `deepen-not` keep the commits selected by a rev-list and mark those whose parents are cut off.
 */
import type { Oid } from "../objects/oid.js";
import type { ObjectDb } from "../storage/object-db.js";
import { ancestors } from "./enumerate.js";
import { ProtocolError } from "../errors.js";

export interface ShallowRequest {
  wants: readonly Oid[];
  clientShallow: ReadonlySet<Oid>;
  depth?: number;
  relative?: boolean;
  since?: number;
  not?: readonly Oid[];
}

export interface ShallowResult {
  /** New shallow commits to report ("shallow <oid>"). */
  shallow: Oid[];
  /** Client shallow commits whose history is now sent ("unshallow <oid>"). */
  unshallow: Oid[];
  /** The boundary to stop the object walk at: every shallow commit, reported or already known. */
  boundary: Set<Oid>;
}

export const INFINITE_DEPTH = 0x7fffffff;

async function peelCommits(odb: ObjectDb, oids: readonly Oid[]): Promise<Oid[]> {
  const out: Oid[] = [];
  for (const w of oids) {
    const p = await odb.peel(w);
    if (p?.type === "commit") out.push(p.oid);
  }
  return out;
}

export async function computeShallow(odb: ObjectDb, req: ShallowRequest): Promise<ShallowResult> {
  if (req.depth !== undefined) return byDepth(odb, req, req.depth);
  return byRevList(odb, req);
}

async function byDepth(odb: ObjectDb, req: ShallowRequest, depth: number): Promise<ShallowResult> {
  if (depth < 1) throw new ProtocolError(`upload-pack: deepen must be positive`);
  let starts = await peelCommits(odb, req.wants);
  if (req.relative) {
    // Depth counts from the client's current boundary (git: reachable client shallows, depth + 1).
    const reach = await ancestors(odb, starts, req.clientShallow);
    starts = [...req.clientShallow].filter((s) => reach.has(s));
    depth = depth + 1;
  }
  const dist = new Map<Oid, number>();
  let frontier = starts.filter((s, i) => starts.indexOf(s) === i);
  for (const s of frontier) dist.set(s, 1);
  const boundary = new Set<Oid>();
  const notShallow = new Set<Oid>();
  for (let d = 1; frontier.length; d++) {
    const next: Oid[] = [];
    for (const c of frontier) {
      if (depth !== INFINITE_DEPTH && d >= depth) {
        boundary.add(c);
        continue;
      }
      notShallow.add(c);
      for (const p of (await odb.commit(c)).parents) {
        if (dist.has(p)) continue;
        dist.set(p, d + 1);
        next.push(p);
      }
    }
    frontier = next;
  }
  return finish(req, boundary, notShallow);
}

async function byRevList(odb: ObjectDb, req: ShallowRequest): Promise<ShallowResult> {
  const starts = await peelCommits(odb, req.wants);
  const excluded = req.not?.length ? await ancestors(odb, req.not) : new Set<Oid>();
  // The selected commits: reachable from the wants, not excluded, new enough.
  const selected = new Set<Oid>();
  const stack = [...starts];
  while (stack.length) {
    const c = stack.pop()!;
    if (selected.has(c) || excluded.has(c)) continue;
    const info = await odb.commit(c);
    if (req.since !== undefined && info.time < req.since) continue;
    selected.add(c);
    for (const p of info.parents) stack.push(p);
  }
  if (selected.size === 0) throw new ProtocolError("upload-pack: no commits selected for shallow requests");
  const boundary = new Set<Oid>();
  const notShallow = new Set<Oid>();
  for (const c of selected) {
    const info = await odb.commit(c);
    if (info.parents.every((p) => selected.has(p))) notShallow.add(c);
    else boundary.add(c);
  }
  return finish(req, boundary, notShallow);
}

function finish(req: ShallowRequest, boundary: Set<Oid>, notShallow: Set<Oid>): ShallowResult {
  const shallow = [...boundary].filter((c) => !req.clientShallow.has(c));
  const unshallow = [...req.clientShallow].filter((c) => notShallow.has(c));
  // Client shallows we did not reach stay shallow on the client: keep them as walk boundaries.
  const all = new Set(boundary);
  for (const c of req.clientShallow) if (!notShallow.has(c)) all.add(c);
  return { shallow, unshallow, boundary: all };
}
