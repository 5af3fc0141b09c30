import { bytesToHex, hexToBytes, type Oid } from "./oid.js";
import { concatBytes, decodeLatin1, encodeLatin1 } from "./bytes.js";
import { GitFormatError } from "../errors.js";

/** Tree entry modes git writes. Names are latin1-decoded bytes (lossless). */
export type TreeMode = "100644" | "100755" | "120000" | "160000" | "40000";
export interface TreeEntry {
  mode: string;
  name: string;
  oid: Oid;
}

export const isTreeMode = (m: string) => m === "40000" || m === "040000";
export const isGitlinkMode = (m: string) => m === "160000";

export function parseTree(data: Uint8Array): TreeEntry[] {
  const out: TreeEntry[] = [];
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) throw new GitFormatError("tree: malformed entry mode");
    const nul = data.indexOf(0, sp + 1);
    if (nul < 0 || nul + 21 > data.length) throw new GitFormatError("tree: truncated entry");
    const mode = decodeLatin1(data.subarray(i, sp));
    if (!/^[0-7]{5,6}$/.test(mode)) throw new GitFormatError(`tree: bad mode ${mode}`);
    const name = decodeLatin1(data.subarray(sp + 1, nul));
    if (name === "" || name.includes("/")) throw new GitFormatError("tree: bad entry name");
    out.push({ mode, name, oid: bytesToHex(data, nul + 1, nul + 21) });
    i = nul + 21;
  }
  return out;
}

/** Git's tree order: byte order of names, where a tree's name sorts as if it ended in "/". */
export function compareTreeEntries(a: TreeEntry, b: TreeEntry): number {
  const an = isTreeMode(a.mode) ? a.name + "/" : a.name;
  const bn = isTreeMode(b.mode) ? b.name + "/" : b.name;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

export function serializeTree(entries: readonly TreeEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(encodeLatin1(`${e.mode} ${e.name}\0`), hexToBytes(e.oid));
  }
  return concatBytes(parts);
}
