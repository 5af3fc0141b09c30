/** gitprotocol-capabilities: what we advertise, per service and protocol version. */
export const AGENT = "artifacts-emulator/0.1";

export function uploadPackV0Caps(headTarget: string | undefined): string {
  const caps = [
    "multi_ack",
    "thin-pack",
    "side-band",
    "side-band-64k",
    "ofs-delta",
    "shallow",
    "deepen-since",
    "deepen-not",
    "deepen-relative",
    "no-progress",
    // No include-tag: the contract names it unsupported (docs/contract-choices.md, "include-tag").
    "multi_ack_detailed",
    "no-done",
    "allow-tip-sha1-in-want",
    "allow-reachable-sha1-in-want",
  ];
  if (headTarget) caps.push(`symref=HEAD:${headTarget}`);
  caps.push("object-format=sha1", `agent=${AGENT}`);
  return caps.join(" ");
}

export function receivePackCaps(): string {
  return `report-status report-status-v2 delete-refs side-band-64k quiet atomic ofs-delta push-options object-format=sha1 agent=${AGENT}`;
}

/** gitprotocol-v2 "Capability Advertisement". No `filter` yet: git then refuses --filter clearly. */
export const V2_CAPABILITIES = ["version 2", `agent=${AGENT}`, "ls-refs=unborn", "fetch=shallow wait-for-done", "server-option", "object-format=sha1"];

/** Parse "a b=c d" capability lists into a map. */
export function parseCaps(s: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of s.trim().split(" ")) {
    if (!c) continue;
    const eq = c.indexOf("=");
    if (eq < 0) m.set(c, "");
    else m.set(c.slice(0, eq), c.slice(eq + 1));
  }
  return m;
}
