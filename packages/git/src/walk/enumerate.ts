/**
 * Which objects a fetch must send: everything reachable from the wants, minus what the client
 * has. Like git's "edge" marking, the trees of the boundary commits are treated as present on the
 * client (and usable as thin-pack bases); the client's shallow commits stop the walk of what it has.
 */
import type { Oid } from "../objects/oid.js";
import { TREE_ENTRY_GITLINK, TREE_ENTRY_TREE } from "../objects/tree.js";
import type { ObjectDb } from "../storage/object-db.js";

export interface EnumerateInput {
  wants: readonly Oid[];
  /** Commits the client has (common haves). */
  haves: readonly Oid[];
  /** The client's current shallow commits: it has them but not their parents. */
  clientShallow?: ReadonlySet<Oid>;
  /** Commits whose parents must not be sent (the new shallow boundary). */
  shallowBoundary?: ReadonlySet<Oid>;
  /** Commits that must be sent even if the client "has" them (commits it is unshallowing the parents of are handled by the walk). */
}

export interface Enumeration {
  objects: Oid[];
  /** Objects the client is known to have (edge trees and blobs), for thin-pack bases. */
  clientHas: Set<Oid>;
  commits: number;
}

/** All commits reachable from `tips`, not walking past `stopAt` commits' parents. */
export async function ancestors(odb: ObjectDb, tips: readonly Oid[], stopAt?: ReadonlySet<Oid>): Promise<Set<Oid>> {
  const seen = new Set<Oid>();
  const stack: Oid[] = [];
  for (const t of tips) {
    const p = await odb.peel(t);
    if (p?.type === "commit") stack.push(p.oid);
  }
  while (stack.length) {
    const c = stack.pop()!;
    if (seen.has(c)) continue;
    seen.add(c);
    if (stopAt?.has(c)) continue;
    const info = await odb.commit(c);
    for (const p of info.parents) if (!seen.has(p)) stack.push(p);
  }
  return seen;
}

async function addTree(odb: ObjectDb, root: Oid, into: Set<Oid>, skip: ReadonlySet<Oid> | undefined, order?: Oid[]) {
  const stack: Oid[] = [root];
  while (stack.length) {
    const t = stack.pop()!;
    if (into.has(t) || skip?.has(t)) continue;
    into.add(t);
    order?.push(t);
    const { oids, kinds } = await odb.treeLinks(t);
    for (let i = 0; i < oids.length; i++) {
      const kind = kinds[i];
      if (kind === TREE_ENTRY_GITLINK) continue;
      const oid = oids[i]!;
      if (kind === TREE_ENTRY_TREE) stack.push(oid);
      else if (!into.has(oid) && !skip?.has(oid)) {
        into.add(oid);
        order?.push(oid);
      }
    }
  }
}

export async function enumerateObjects(odb: ObjectDb, input: EnumerateInput): Promise<Enumeration> {
  const has = await ancestors(odb, input.haves, input.clientShallow);
  const commits: Oid[] = [];
  const tagObjects: Oid[] = [];
  const other: Oid[] = [];
  const sentCommits = new Set<Oid>();
  const stack: Oid[] = [];
  const extraRoots: Oid[] = []; // wanted trees/blobs
  for (const w of input.wants) {
    let oid = w;
    for (;;) {
      const t = await odb.type(oid);
      if (t === "tag") {
        if (!tagObjects.includes(oid)) tagObjects.push(oid);
        oid = (await odb.tag(oid)).object;
        continue;
      }
      if (t === "commit") stack.push(oid);
      else if (t) extraRoots.push(oid);
      break;
    }
  }
  const boundary = new Set<Oid>();
  while (stack.length) {
    const c = stack.pop()!;
    if (sentCommits.has(c)) continue;
    if (has.has(c)) {
      boundary.add(c);
      continue;
    }
    sentCommits.add(c);
    commits.push(c);
    if (input.shallowBoundary?.has(c)) continue;
    const info = await odb.commit(c);
    for (let i = info.parents.length - 1; i >= 0; i--) stack.push(info.parents[i]!);
  }
  const clientHas = new Set<Oid>();
  for (const b of boundary) await addTree(odb, (await odb.commit(b)).tree, clientHas, undefined);
  const sent = new Set<Oid>();
  for (const c of commits) await addTree(odb, (await odb.commit(c)).tree, sent, clientHas, other);
  for (const r of extraRoots) {
    const t = await odb.type(r);
    if (t === "tree") await addTree(odb, r, sent, clientHas, other);
    else if (!sent.has(r)) {
      sent.add(r);
      other.push(r);
    }
  }
  return { objects: [...commits, ...tagObjects, ...other], clientHas, commits: commits.length };
}

/** Is every oid reachable from one of the tips? (For wants that are not advertised tips.) */
export async function allReachable(odb: ObjectDb, tips: readonly Oid[], oids: readonly Oid[]): Promise<Oid | undefined> {
  const need = new Set(oids);
  for (const t of tips) need.delete(t);
  if (need.size === 0) return undefined;
  const commits = await ancestors(odb, tips);
  for (const o of [...need]) if (commits.has(o)) need.delete(o);
  if (need.size === 0) return undefined;
  // Trees and blobs: walk the trees of every reachable commit (rare; fetch-by-oid of a blob).
  const objs = new Set<Oid>();
  for (const c of commits) {
    await addTree(odb, (await odb.commit(c)).tree, objs, undefined);
    for (const o of [...need]) if (objs.has(o)) need.delete(o);
    if (need.size === 0) return undefined;
  }
  return need.values().next().value;
}
