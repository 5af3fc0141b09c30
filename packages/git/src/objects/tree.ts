import { bytesToHex, hexToBytes, oidAt, type Oid } from "./oid.js";
import { concatBytes, decodeLatin1, encodeLatin1 } from "../io/bytes.js";
import { GitFormatError } from "../errors.js";

/** A tree entry; names are latin1-decoded bytes (lossless). */
export interface TreeEntry {
  mode: string;
  name: string;
  oid: Oid;
}

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

/** Entry kinds reported by `scanTree`. */
export const TREE_ENTRY_OTHER = 0;
export const TREE_ENTRY_TREE = 1;
export const TREE_ENTRY_GITLINK = 2;

/**
 * The entries of a tree without decoding names: `fn(oid, kind)` per entry, in order, with kind
 * TREE_ENTRY_TREE (mode 40000/040000), TREE_ENTRY_GITLINK (160000) or TREE_ENTRY_OTHER. Accepts
 * exactly what parseTree accepts and throws the same errors; walks and ingest use it because they
 * need only ids, and building names, modes and entry objects is most of parseTree's cost.
 */
export function scanTree(data: Uint8Array, fn: (oid: Oid, kind: number) => void): void {
  const n = data.length;
  let i = 0;
  while (i < n) {
    let sp = i;
    while (sp < n && data[sp] !== 0x20) sp++;
    let nul = sp + 1;
    while (nul < n && data[nul] !== 0) nul++;
    const ml = sp - i;
    let ok = sp < n && nul < n && nul + 21 <= n && (ml === 5 || ml === 6) && nul > sp + 1;
    for (let k = i; ok && k < sp; k++) ok = data[k]! >= 0x30 && data[k]! <= 0x37;
    for (let k = sp + 1; ok && k < nul; k++) ok = data[k] !== 0x2f;
    if (!ok) {
      parseTree(data); // throws the precise error
      throw new GitFormatError("tree: malformed entry");
    }
    let kind = TREE_ENTRY_OTHER;
    const m0 = data[i]!;
    if (
      ml === 5
        ? m0 === 0x34 && data[i + 1] === 0x30 && data[i + 2] === 0x30 && data[i + 3] === 0x30 && data[i + 4] === 0x30
        : m0 === 0x30 && data[i + 1] === 0x34 && data[i + 2] === 0x30 && data[i + 3] === 0x30 && data[i + 4] === 0x30 && data[i + 5] === 0x30
    )
      kind = TREE_ENTRY_TREE;
    else if (ml === 6 && m0 === 0x31 && data[i + 1] === 0x36 && data[i + 2] === 0x30 && data[i + 3] === 0x30 && data[i + 4] === 0x30 && data[i + 5] === 0x30)
      kind = TREE_ENTRY_GITLINK;
    fn(oidAt(data, nul + 1), kind);
    i = nul + 21;
  }
}

export function serializeTree(entries: readonly TreeEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(encodeLatin1(`${e.mode} ${e.name}\0`), hexToBytes(e.oid));
  }
  return concatBytes(parts);
}
