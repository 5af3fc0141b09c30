/**
 * Hand-made packs for hostile requests (gitformat-pack "pack-*.pack files have the following format",
 * "Deltified representation"): any entry header, any size claim, any zlib bytes, with a correct
 * trailer so only the deliberate damage is wrong. No vitest import: the memory script uses it too.
 */
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";

export const OBJ = { commit: 1, tree: 2, blob: 3, tag: 4, ofsDelta: 6, refDelta: 7 } as const;

export interface RawEntry {
  type: number;
  /** Size written in the entry header (default: the inflated length of `data`). */
  size?: number;
  /** Inflated content (object or delta instructions); deflated unless `zdata` is given. */
  data?: Buffer;
  /** Exact bytes after the header (e.g. a broken zlib stream). */
  zdata?: Buffer;
  /** OFS_DELTA: distance back to the base entry, in bytes. Use `ofsTo` to name the base entry by index instead. */
  ofs?: number;
  ofsTo?: number;
  /** REF_DELTA: base object id (hex). */
  base?: string;
}

export function entryHeader(type: number, size: number): Buffer {
  const out: number[] = [];
  let rest = Math.floor(size / 16);
  out.push((rest > 0 ? 0x80 : 0) | (type << 4) | (size % 16));
  while (rest > 0) {
    const b = rest % 128;
    rest = Math.floor(rest / 128);
    out.push((rest > 0 ? 0x80 : 0) | b);
  }
  return Buffer.from(out);
}

function ofsBytes(d: number): Buffer {
  const bytes = [d & 0x7f];
  d = Math.floor(d / 128);
  while (d > 0) {
    d -= 1;
    bytes.unshift(0x80 | (d & 0x7f));
    d = Math.floor(d / 128);
  }
  return Buffer.from(bytes);
}

export function withTrailer(body: Buffer): Buffer {
  return Buffer.concat([body, createHash("sha1").update(body).digest()]);
}

/** A pack of `entries`; `count` overrides the header's object count. */
export function buildPack(entries: RawEntry[], count = entries.length): Buffer {
  const header = Buffer.alloc(12);
  header.write("PACK", 0, "latin1");
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(count >>> 0, 8);
  const parts: Buffer[] = [header];
  const offsets: number[] = [];
  let offset = 12;
  for (const e of entries) {
    offsets.push(offset);
    const data = e.data ?? Buffer.alloc(0);
    const bits: Buffer[] = [entryHeader(e.type, e.size ?? data.length)];
    if (e.type === OBJ.ofsDelta) bits.push(ofsBytes(e.ofs ?? offset - offsets[e.ofsTo ?? 0]!));
    if (e.type === OBJ.refDelta) bits.push(Buffer.from(e.base ?? "0".repeat(40), "hex"));
    bits.push(e.zdata ?? deflateSync(data));
    const b = Buffer.concat(bits);
    parts.push(b);
    offset += b.length;
  }
  return withTrailer(Buffer.concat(parts));
}

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

/** Delta instructions: declared base and result sizes, then ops (copy [offset, length] or insert bytes). */
export function delta(baseSize: number, resultSize: number, ops: Array<{ copy: [number, number] } | { insert: Buffer }>): Buffer {
  const parts = [varint(baseSize), varint(resultSize)];
  for (const op of ops) {
    if ("insert" in op) {
      for (let i = 0; i < op.insert.length; i += 127) {
        const piece = op.insert.subarray(i, i + 127);
        parts.push(Buffer.from([piece.length]), piece);
      }
    } else {
      const [off, len] = op.copy;
      let cmd = 0x80;
      const args: number[] = [];
      for (let i = 0; i < 4; i++) {
        const b = Math.floor(off / 2 ** (8 * i)) & 0xff;
        if (b) {
          cmd |= 1 << i;
          args.push(b);
        }
      }
      for (let i = 0; i < 3; i++) {
        const b = Math.floor(len / 2 ** (8 * i)) & 0xff;
        if (b) {
          cmd |= 0x10 << i;
          args.push(b);
        }
      }
      parts.push(Buffer.from([cmd, ...args]));
    }
  }
  return Buffer.concat(parts);
}

/** The raw bytes of a git object and its id. */
export function gitObject(type: "blob" | "tree" | "commit" | "tag", data: Buffer): { id: string; type: number; data: Buffer } {
  const id = createHash("sha1")
    .update(Buffer.concat([Buffer.from(`${type} ${data.length}\0`), data]))
    .digest("hex");
  return { id, type: OBJ[type], data };
}

/** A raw tree from [mode, name, id] rows, in the order given (so it can be unsorted or duplicated on purpose). */
export function rawTree(rows: Array<[mode: string, name: string, id: string]>): Buffer {
  return Buffer.concat(rows.map(([mode, name, id]) => Buffer.concat([Buffer.from(`${mode} ${name}\0`, "latin1"), Buffer.from(id, "hex")])));
}

export function rawCommit(
  tree: string,
  parents: string[],
  opts: { author?: string | null; committer?: string; message?: string; extra?: string } = {},
): Buffer {
  const who = "Hostile Test <hostile@example.com> 1700000000 +0000";
  let s = `tree ${tree}\n`;
  for (const p of parents) s += `parent ${p}\n`;
  if (opts.author !== null) s += `author ${opts.author ?? who}\n`;
  s += `committer ${opts.committer ?? who}\n${opts.extra ?? ""}\n${opts.message ?? "hostile\n"}`;
  return Buffer.from(s, "latin1");
}
