/**
 * upload-pack for protocol v0/v1 over stateless HTTP (gitprotocol-pack "Packfile Negotiation",
 * gitprotocol-http "Smart Service git-upload-pack"). Each POST re-sends wants, shallows, deepen
 * lines and haves; nothing is kept between requests. ACK/NAK rules follow upload-pack.c's
 * get_common_commits in stateless mode.
 */
import type { ByteReader } from "../io/byte-reader.js";
import { readPkt, pktText } from "../pktline/decode.js";
import { FLUSH, pktLine } from "../pktline/encode.js";
import type { ObjectDb } from "../storage/object-db.js";
import { ProtocolError } from "../errors.js";
import { parseCaps } from "./capabilities.js";
import type { RefsView } from "./refs-view.js";
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
  type FetchArgs,
  type FetchServed,
} from "./fetch-common.js";

interface V0Request {
  args: FetchArgs;
  caps: Map<string, string>;
  /** "flush": haves ended with a flush (another round follows); "done"; "eof": no have section. */
  end: "flush" | "done" | "eof";
}

export async function parseUploadPackV0(r: ByteReader): Promise<V0Request> {
  const args = emptyFetchArgs();
  let caps = new Map<string, string>();
  // want/shallow/deepen section
  for (;;) {
    const p = await readPkt(r);
    if (!p) throw new ProtocolError("upload-pack: unexpected end of request");
    if (p.kind === "flush") break;
    if (p.kind !== "data") throw new ProtocolError("upload-pack: unexpected special packet");
    const line = pktText(p);
    if (line.startsWith("want ") && args.wants.length === 0 && line.length > 45) {
      caps = parseCaps(line.slice(46));
      parseFetchLine(line.slice(0, 45), args);
      continue;
    }
    if (!parseFetchLine(line, args)) throw new UploadPackError(`upload-pack: protocol error, unexpected '${line}'`);
  }
  let end: V0Request["end"] = "eof";
  for (;;) {
    const p = await readPkt(r);
    if (!p) break;
    if (p.kind === "flush") {
      end = "flush";
      break;
    }
    if (p.kind !== "data") throw new ProtocolError("upload-pack: unexpected special packet");
    const line = pktText(p);
    if (line === "done") {
      end = "done";
      break;
    }
    if (!line.startsWith("have ") || !parseFetchLine(line, args))
      throw new UploadPackError(`upload-pack: protocol error, expected have or done, got '${line}'`);
  }
  args.thinPack = caps.has("thin-pack");
  args.ofsDelta = caps.has("ofs-delta");
  args.noProgress = caps.has("no-progress");
  // include-tag is not advertised (contract: unsupported); a client that sends it anyway gets the
  // pack without the extra tags, as if it had not (git then fetches the tags it follows itself).
  if (caps.has("deepen-relative")) args.deepenRelative = true;
  return { args, caps, end };
}

/** Yields the response; returns what it served (for the caller's events). */
export async function* uploadPackV0(req: V0Request, odb: ObjectDb, view: RefsView): AsyncGenerator<Uint8Array, FetchServed> {
  const { args, caps } = req;
  const sideband = caps.has("side-band-64k") ? 65515 : caps.has("side-band") ? 999 : 0;
  if (args.wants.length === 0) {
    // A client that wants nothing just ends (git fetch with everything up to date).
    return fetchServed(args, false);
  }
  await checkWants(odb, view, args.wants);
  const shallow = await shallowFor(odb, view, args);
  // receive_needs: the shallow-update section is sent only when the client asked to deepen.
  if (isDeepening(args)) {
    for (const s of shallow?.shallow ?? []) yield pktLine(`shallow ${s}`);
    for (const u of shallow?.unshallow ?? []) yield pktLine(`unshallow ${u}`);
    yield FLUSH;
  }
  if (req.end === "eof") return fetchServed(args, false); // the first request of a deepening fetch stops after the shallow section

  const multiAck = caps.has("multi_ack_detailed") ? 2 : caps.has("multi_ack") ? 1 : 0;
  const noDone = caps.has("no-done");
  // get_common_commits: have lines are answered one by one, in both a flush-ended and a done-ended request.
  const known = new Set(await commonHaves(odb, args.haves));
  const common: string[] = [];
  let last: string | undefined;
  let gotCommon = false;
  let gotOther = false;
  let sentReady = false;
  let giveUp: boolean | undefined; // cached ok_to_give_up for the current common set
  const canGiveUp = async () => (giveUp ??= await okToGiveUp(odb, args.wants, common));
  for (const h of args.haves) {
    if (known.has(h)) {
      if (!common.includes(h)) {
        common.push(h);
        if (giveUp === false) giveUp = undefined;
      }
      gotCommon = true;
      last = h;
      if (multiAck === 2) yield pktLine(`ACK ${h} common`);
      else if (multiAck === 1) yield pktLine(`ACK ${h} continue`);
      else if (common.length === 1) yield pktLine(`ACK ${h}`);
    } else {
      gotOther = true;
      if (multiAck && common.length > 0 && (await canGiveUp())) {
        if (multiAck === 2) {
          sentReady = true;
          yield pktLine(`ACK ${h} ready`);
        } else yield pktLine(`ACK ${h} continue`);
      }
    }
  }
  if (req.end === "flush") {
    if (multiAck === 2 && gotCommon && !gotOther && (await canGiveUp())) {
      sentReady = true;
      yield pktLine(`ACK ${last} ready`);
    }
    if (common.length === 0 || multiAck) yield pktLine("NAK");
    if (!(noDone && sentReady)) return fetchServed(args, false); // stateless: the client sends another round
    yield pktLine(`ACK ${last}`);
  } else if (common.length > 0) {
    if (multiAck) yield pktLine(`ACK ${last}`);
  } else {
    yield pktLine("NAK");
  }
  yield* framePack(packEvents(odb, view, args, common, shallow, sideband ? { chunkSize: sideband, headroom: 5 } : undefined), sideband);
  return fetchServed(args, true);
}
