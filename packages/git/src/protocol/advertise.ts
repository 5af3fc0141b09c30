/**
 * Reference discovery (gitprotocol-pack "Reference Discovery", gitprotocol-http "Smart Clients"):
 * v0/v1 ref advertisements for upload-pack and receive-pack, and the v2 capability advertisement.
 */
import { FLUSH, pktLine } from "../pktline/encode.js";
import { ZERO_OID } from "../objects/oid.js";
import type { RefsView } from "./refs-view.js";
import { V2_CAPABILITIES, receivePackCaps, uploadPackV0Caps } from "./capabilities.js";

export type Service = "git-upload-pack" | "git-receive-pack";

export function advertiseRefs(service: Service, view: RefsView, version: 0 | 1): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (version === 1) out.push(pktLine("version 1"));
  const lines: string[] = [];
  if (service === "git-upload-pack") {
    if (view.head.oid) lines.push(`${view.head.oid} HEAD`);
    for (const r of view.refs) {
      lines.push(`${r.oid} ${r.name}`);
      if (r.peeled) lines.push(`${r.peeled} ${r.name}^{}`);
    }
  } else {
    for (const r of view.refs) lines.push(`${r.oid} ${r.name}`);
  }
  const caps = service === "git-upload-pack" ? uploadPackV0Caps(view.head.oid ? view.head.target : undefined) : receivePackCaps();
  // An empty repository still tells the client its capabilities (git 2.4x does this for both services).
  if (lines.length === 0) lines.push(`${ZERO_OID} capabilities^{}`);
  lines[0] = `${lines[0]}\0${caps}`;
  // A shallow repository tells the client its boundary after the refs (git's advertise_shallow_grafts).
  if (service === "git-upload-pack") for (const s of view.shallow) lines.push(`shallow ${s}`);
  for (const l of lines) out.push(pktLine(l));
  out.push(FLUSH);
  return out;
}

export function advertiseV2(): Uint8Array[] {
  return [...V2_CAPABILITIES.map(pktLine), FLUSH];
}
