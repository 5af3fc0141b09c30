/**
 * Protocol v2 commands (gitprotocol-v2 "ls-refs" and "fetch"). A request is
 * `command=<name>`, capability lines, delim-pkt, arguments, flush-pkt.
 */
import type { ByteReader } from "../io/byte-reader.js";
import { readPkt, pktText } from "../pktline/decode.js";
import { DELIM, FLUSH, pktLine } from "../pktline/encode.js";
import type { ObjectDb } from "../storage/object-db.js";
import { ProtocolError } from "../errors.js";
import type { RefsView } from "./refs-view.js";
import { ancestors } from "../walk/enumerate.js";
import {
  checkWants,
  commonHaves,
  emptyFetchArgs,
  fetchServed,
  framePack,
  isDeepening,
  okToGiveUp,
  packEvents,
  parseFetchLine,
  shallowFor,
  UploadPackError,
  type FetchServed,
} from "./fetch-common.js";

export interface V2Request {
  command: string;
  caps: string[];
  args: string[];
}

export async function parseV2Request(r: ByteReader): Promise<V2Request | undefined> {
  const caps: string[] = [];
  const args: string[] = [];
  let command: string | undefined;
  let inArgs = false;
  for (;;) {
    const p = await readPkt(r);
    if (!p) {
      if (!command && caps.length === 0) return undefined;
      throw new ProtocolError("protocol error: unexpected end of v2 request");
    }
    if (p.kind === "flush") break;
    if (p.kind === "delim") {
      if (inArgs) throw new ProtocolError("protocol error: unexpected delim-pkt");
      inArgs = true;
      continue;
    }
    if (p.kind === "end") throw new ProtocolError("protocol error: unexpected response-end packet");
    const line = pktText(p);
    if (inArgs) args.push(line);
    else if (line.startsWith("command=")) command = line.slice(8);
    else caps.push(line);
  }
  if (!command) throw new UploadPackError("protocol error: no command requested");
  if (caps.some((c) => c.startsWith("object-format=") && c !== "object-format=sha1"))
    throw new UploadPackError("mismatched object format: this server supports only sha1");
  return { command, caps, args };
}

export interface LsRefsArgs {
  symrefs: boolean;
  peel: boolean;
  unborn: boolean;
  prefixes: string[];
}

/** ls-refs arguments; an unknown one is an error (git's ls-refs.c: "unexpected line"), before any output. */
export function parseLsRefsArgs(req: V2Request): LsRefsArgs {
  const a: LsRefsArgs = { symrefs: false, peel: false, unborn: false, prefixes: [] };
  for (const line of req.args) {
    if (line === "symrefs") a.symrefs = true;
    else if (line === "peel") a.peel = true;
    else if (line === "unborn") a.unborn = true;
    else if (line.startsWith("ref-prefix ")) a.prefixes.push(line.slice(11));
    else throw new UploadPackError(`unexpected line: '${line}'`);
  }
  return a;
}

export async function* lsRefs(args: LsRefsArgs, view: RefsView): AsyncGenerator<Uint8Array> {
  const { symrefs, peel, unborn, prefixes } = args;
  const match = (name: string) => prefixes.length === 0 || prefixes.some((p) => name.startsWith(p));
  if (match("HEAD")) {
    if (view.head.oid) yield pktLine(`${view.head.oid} HEAD${symrefs ? ` symref-target:${view.head.target}` : ""}`);
    else if (unborn) yield pktLine(`unborn HEAD${symrefs ? ` symref-target:${view.head.target}` : ""}`);
  }
  for (const r of view.refs) {
    if (!match(r.name)) continue;
    yield pktLine(`${r.oid} ${r.name}${peel && r.peeled ? ` peeled:${r.peeled}` : ""}`);
  }
  yield FLUSH;
}

/** Yields the response; returns what it served (for the caller's events). */
export async function* fetchV2(req: V2Request, odb: ObjectDb, view: RefsView): AsyncGenerator<Uint8Array, FetchServed> {
  const args = emptyFetchArgs();
  let waitForDone = false;
  for (const line of req.args) {
    if (line === "done") args.done = true;
    else if (line === "thin-pack") args.thinPack = true;
    else if (line === "ofs-delta") args.ofsDelta = true;
    else if (line === "no-progress") args.noProgress = true;
    else if (line === "include-tag") args.includeTag = true;
    else if (line === "wait-for-done") waitForDone = true;
    else if (line === "sideband-all")
      continue; // not advertised; harmless
    else if (!parseFetchLine(line, args)) throw new UploadPackError(`unexpected line: '${line}'`);
  }
  if (args.wants.length === 0) throw new UploadPackError("expected want, got nothing");
  await checkWants(odb, view, args.wants);
  const common = await commonHaves(odb, args.haves);
  if (!args.done) {
    yield pktLine("acknowledgments");
    if (common.length === 0) yield pktLine("NAK");
    for (const c of common) yield pktLine(`ACK ${c}`);
    const ready = !waitForDone && common.length > 0 && (await okToGiveUp(odb, args.wants, common));
    if (!ready) {
      yield FLUSH;
      return fetchServed(args, false);
    }
    yield pktLine("ready");
    yield DELIM;
  }
  const shallow = await shallowFor(odb, view, args);
  // A shallow repository reports the part of its own boundary that this fetch reaches, as git's
  // upload-pack does, so the client becomes shallow there too; those commits are never unshallowed.
  const own = view.shallow.length
    ? [...(await ancestors(odb, args.wants, shallow?.boundary))].filter((c) => odb.shallow.has(c) && !args.clientShallow.has(c))
    : [];
  if (isDeepening(args) || args.clientShallow.size > 0 || own.length > 0) {
    yield pktLine("shallow-info");
    for (const s of new Set([...(shallow?.shallow ?? []), ...own])) yield pktLine(`shallow ${s}`);
    for (const u of shallow?.unshallow ?? []) if (!odb.shallow.has(u)) yield pktLine(`unshallow ${u}`);
    yield DELIM;
  }
  yield pktLine("packfile");
  yield* framePack(packEvents(odb, view, args, common, shallow, { chunkSize: 65515, headroom: 5 }), 65515);
  return fetchServed(args, true);
}
