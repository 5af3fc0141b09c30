/** The refs of a repository as the protocol shows them: HEAD resolved, annotated tags peeled. */
import type { Oid } from "../objects/oid.js";
import type { ObjectDb } from "../storage/object-db.js";
import type { RepoStore } from "../storage/types.js";

export interface AdvertisedRef {
  name: string;
  oid: Oid;
  peeled?: Oid;
  symrefTarget?: string;
}

export interface RefsView {
  refs: AdvertisedRef[];
  /** HEAD's target, and its oid when the branch exists. */
  head: { target: string; oid?: Oid };
  /** A shallow repository's boundary (RepoStore.shallow), also set on the ObjectDb as its grafts. */
  shallow: Oid[];
}

export async function loadRefs(store: RepoStore, odb: ObjectDb): Promise<RefsView> {
  const [list, target, shallow] = await Promise.all([store.listRefs(), store.getHead(), store.shallow?.() ?? []]);
  odb.shallow = new Set(shallow);
  const refs: AdvertisedRef[] = [];
  for (const r of list) {
    const a: AdvertisedRef = { name: r.name, oid: r.oid };
    if (r.name.startsWith("refs/tags/") && (await odb.type(r.oid)) === "tag") {
      const p = await odb.peel(r.oid);
      if (p) a.peeled = p.oid;
    }
    refs.push(a);
  }
  const headOid = list.find((r) => r.name === target)?.oid;
  return { refs, head: headOid ? { target, oid: headOid } : { target }, shallow };
}
