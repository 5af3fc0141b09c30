/**
 * The parts of upload-pack shared by protocol v0/v1 and v2: want validation, have matching and
 * `ok_to_give_up`, shallow computation, and the pack stream with progress (gitprotocol-pack
 * "Packfile Negotiation" and "Packfile Data").
 */
import type { Oid } from "../objects/oid.js";
import { isOid } from "../objects/oid.js";
import type { ObjectDb } from "../storage/object-db.js";
import { ProtocolError } from "../errors.js";
import { allReachable, enumerateObjects } from "../walk/enumerate.js";
import { computeShallow, INFINITE_DEPTH, type ShallowResult } from "../walk/shallow.js";
import { writePack } from "../pack/writer.js";
import { FLUSH } from "../pktline/encode.js";
import { frameSideband, sidebandPackets, sidebandText, BAND_DATA, BAND_ERROR, BAND_PROGRESS } from "../pktline/sideband.js";
import type { RefsView } from "./refs-view.js";

export interface FetchArgs {
  wants: Oid[];
  haves: Oid[];
  done: boolean;
  clientShallow: Set<Oid>;
  depth?: number;
  deepenRelative: boolean;
  deepenSince?: number;
  deepenNot: string[];
  thinPack: boolean;
  ofsDelta: boolean;
  noProgress: boolean;
  includeTag: boolean;
}

/**
 * What one upload-pack response served (JGit's PostUploadHook idea): the request's wants, haves
 * and client shallows, and whether a pack went out (a negotiation-only round sends none).
 */
export interface FetchServed {
  wants: Oid[];
  haves: Oid[];
  shallow: Oid[];
  depth?: number;
  packSent: boolean;
}

export function fetchServed(a: FetchArgs, packSent: boolean): FetchServed {
  return { wants: a.wants, haves: a.haves, shallow: [...a.clientShallow], ...(a.depth !== undefined ? { depth: a.depth } : {}), packSent };
}

export function emptyFetchArgs(): FetchArgs {
  return {
    wants: [],
    haves: [],
    done: false,
    clientShallow: new Set(),
    deepenRelative: false,
    deepenNot: [],
    thinPack: false,
    ofsDelta: false,
    noProgress: false,
    includeTag: false,
  };
}

/** An error git shows as "fatal: remote error: <message>" (an ERR packet). */
export class UploadPackError extends ProtocolError {
  override name = "UploadPackError";
}

export const MAX_WANTS = 4096;
export const MAX_HAVES = 4096;

/** Parse a shared argument line (want/have/shallow/deepen*); false if it is not one of them. */
export function parseFetchLine(line: string, args: FetchArgs): boolean {
  const sp = line.indexOf(" ");
  const key = sp < 0 ? line : line.slice(0, sp);
  const val = sp < 0 ? "" : line.slice(sp + 1);
  const oidArg = () => {
    const o = val.slice(0, 40);
    if (!isOid(o)) throw new UploadPackError(`upload-pack: protocol error, expected to get object ID, not '${line}'`);
    return o;
  };
  switch (key) {
    case "want":
      if (args.wants.length >= MAX_WANTS) throw new UploadPackError(`upload-pack: too many wants (limit ${MAX_WANTS})`);
      args.wants.push(oidArg());
      return true;
    case "have":
      if (args.haves.length < MAX_HAVES) args.haves.push(oidArg());
      return true;
    case "shallow":
      args.clientShallow.add(oidArg());
      return true;
    case "deepen": {
      const n = Number(val);
      if (!Number.isInteger(n) || n <= 0) throw new UploadPackError(`upload-pack: invalid deepen: ${val}`);
      args.depth = Math.min(n, INFINITE_DEPTH);
      return true;
    }
    case "deepen-relative":
      args.deepenRelative = true;
      return true;
    case "deepen-since": {
      const t = Number(val);
      if (!Number.isFinite(t)) throw new UploadPackError(`upload-pack: invalid deepen-since: ${val}`);
      args.deepenSince = t;
      return true;
    }
    case "deepen-not":
      args.deepenNot.push(val);
      return true;
    case "filter":
      throw new UploadPackError("upload-pack: filtering capability not negotiated");
  }
  return false;
}

export function isDeepening(a: FetchArgs): boolean {
  return a.depth !== undefined || a.deepenSince !== undefined || a.deepenNot.length > 0;
}

/** Every want must exist and be reachable from a ref (forks sharing objects must not leak them). */
export async function checkWants(odb: ObjectDb, view: RefsView, wants: readonly Oid[]): Promise<void> {
  const tips = new Set<Oid>();
  for (const r of view.refs) tips.add(r.oid);
  const others: Oid[] = [];
  for (const w of wants) {
    if (!(await odb.has(w))) throw new UploadPackError(`upload-pack: not our ref ${w}`);
    if (!tips.has(w)) others.push(w);
  }
  if (others.length === 0) return;
  const bad = await allReachable(odb, [...tips], others);
  if (bad) throw new UploadPackError(`upload-pack: not our ref ${bad}`);
}

/** The haves we also have, in the order the client sent them. */
export async function commonHaves(odb: ObjectDb, haves: readonly Oid[]): Promise<Oid[]> {
  const out: Oid[] = [];
  for (const h of haves) if ((await odb.type(h)) === "commit" && !out.includes(h)) out.push(h);
  return out;
}

/**
 * upload-pack's ok_to_give_up: every wanted commit reaches a common commit. Walks back from each
 * want no further than the oldest common commit's time (git's date cut-off).
 */
export async function okToGiveUp(odb: ObjectDb, wants: readonly Oid[], common: readonly Oid[]): Promise<boolean> {
  if (common.length === 0) return false;
  const commonSet = new Set(common);
  let cutoff = Infinity;
  for (const c of common) cutoff = Math.min(cutoff, (await odb.commit(c)).time);
  const known = new Set<Oid>(); // commits known to reach a common commit
  for (const w of wants) {
    const p = await odb.peel(w);
    if (!p || p.type !== "commit") continue;
    if (commonSet.has(p.oid)) continue;
    const seen = new Set<Oid>([p.oid]);
    const stack = [p.oid];
    let found = false;
    while (stack.length && !found) {
      const c = stack.pop()!;
      for (const parent of (await odb.commit(c)).parents) {
        if (commonSet.has(parent) || known.has(parent)) {
          found = true;
          break;
        }
        if (seen.has(parent)) continue;
        seen.add(parent);
        const info = await odb.commit(parent).catch(() => undefined);
        if (info && info.time >= cutoff) stack.push(parent);
      }
    }
    if (!found) return false;
    for (const s of seen) known.add(s);
  }
  return true;
}

export async function shallowFor(odb: ObjectDb, view: RefsView, a: FetchArgs): Promise<ShallowResult | undefined> {
  if (!isDeepening(a)) return undefined;
  if (a.depth !== undefined && (a.deepenSince !== undefined || a.deepenNot.length))
    throw new UploadPackError("upload-pack: deepen and deepen-since (or deepen-not) cannot be used together");
  const not: Oid[] = [];
  for (const name of a.deepenNot) {
    const r = view.refs.find((x) => x.name === name || x.name === `refs/tags/${name}` || x.name === `refs/heads/${name}`);
    if (!r) throw new UploadPackError(`upload-pack: git upload-pack: deepen-not is not a ref: ${name}`);
    not.push(r.oid);
  }
  return computeShallow(odb, {
    wants: a.wants,
    clientShallow: a.clientShallow,
    ...(a.depth !== undefined ? { depth: a.depth } : {}),
    relative: a.deepenRelative,
    ...(a.deepenSince !== undefined ? { since: a.deepenSince } : {}),
    not,
  });
}

/** `headroom`: bytes free in front of `data` in its buffer (writePack's headroom option), for in-place framing. */
export type PackEvent = { band: 1; data: Uint8Array; headroom?: number } | { band: 2; text: string };

/**
 * Enumerate and stream the pack: band 1 pack bytes, band 2 progress text. With `frame`, pack chunks
 * are `frame.chunkSize` long with `frame.headroom` free bytes in front (see writePack).
 */
export async function* packEvents(
  odb: ObjectDb,
  view: RefsView,
  a: FetchArgs,
  common: readonly Oid[],
  shallow: ShallowResult | undefined,
  frame?: { chunkSize: number; headroom: number },
): AsyncGenerator<PackEvent> {
  const boundary = shallow?.boundary ?? a.clientShallow;
  const wants = [...a.wants];
  // Unshallowed commits are on the client already, but their parents must now be sent.
  for (const u of shallow?.unshallow ?? []) for (const p of (await odb.commit(u)).parents) wants.push(p);
  const haves = [...common];
  if (shallow) for (const u of shallow.unshallow) haves.push(u);
  const e = await enumerateObjects(odb, { wants, haves, clientShallow: a.clientShallow, shallowBoundary: boundary });
  let objects = e.objects;
  if (a.includeTag) {
    const sending = new Set(objects);
    const extra: Oid[] = [];
    for (const r of view.refs) {
      if (!r.peeled || sending.has(r.oid)) continue;
      if (sending.has(r.peeled)) {
        // The tag and any tags it points through.
        let t: Oid | undefined = r.oid;
        while (t && !sending.has(t) && (await odb.type(t)) === "tag") {
          extra.push(t);
          sending.add(t);
          t = (await odb.tag(t)).object;
        }
      }
    }
    objects = objects.concat(extra);
  }
  if (!a.noProgress) yield { band: 2, text: `Enumerating objects: ${objects.length}, done.\n` };
  const gen = writePack(objects, odb, { ofsDelta: a.ofsDelta, ...(a.thinPack ? { thinBases: e.clientHas } : {}), ...(frame ?? {}) });
  let lastReport = Date.now();
  for (;;) {
    const r = await gen.next();
    if (r.done) {
      if (!a.noProgress)
        yield { band: 2, text: `Total ${r.value.total} (delta ${r.value.deltas}), reused ${r.value.reused} (delta ${r.value.deltas}), pack-reused 0\n` };
      return;
    }
    yield frame ? { band: 1, data: r.value, headroom: frame.headroom } : { band: 1, data: r.value };
    if (!a.noProgress && Date.now() - lastReport > 1000) {
      lastReport = Date.now();
      yield { band: 2, text: `Writing objects...\r` };
    }
  }
}

/** Frame pack events for the client (v0/v1 and v2): side-band if negotiated, else the raw pack. */
export async function* framePack(events: AsyncGenerator<PackEvent>, sideband: number): AsyncGenerator<Uint8Array> {
  try {
    for await (const ev of events) {
      if (ev.band === 1) {
        const d = ev.data;
        if (!sideband) yield d;
        else if ((ev.headroom ?? 0) >= 5 && d.length <= sideband) yield frameSideband(new Uint8Array(d.buffer, d.byteOffset - 5, d.length + 5), BAND_DATA);
        else yield* sidebandPackets(BAND_DATA, d, sideband);
      } else if (sideband) {
        yield sidebandText(BAND_PROGRESS, ev.text);
      }
    }
  } catch (e) {
    // After the first pack byte the only way to fail is band 3 (or a broken stream without side-band).
    if (sideband) {
      yield sidebandText(BAND_ERROR, `upload-pack: ${(e as Error).message}\n`);
      return;
    }
    throw e;
  }
  if (sideband) yield FLUSH;
}
