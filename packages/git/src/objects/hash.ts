import { createHash } from "node:crypto";
import type { Oid } from "./oid.js";
import type { ObjectType } from "./types.js";

/** Incremental SHA-1 (native `node:crypto` in Node and workerd; 3-8x faster than JS ports, see docs/git-protocol.md "zlib and SHA-1"). */
export interface Sha1 {
  update(data: Uint8Array): void;
  digestHex(): string;
  digest(): Uint8Array;
}

export function sha1(): Sha1 {
  const h = createHash("sha1");
  return {
    update: (d) => void h.update(d),
    digestHex: () => h.digest("hex"),
    digest: () => h.digest(),
  };
}

/** The loose-object header git hashes before the content: "<type> <size>\0". */
export function objectHeader(type: ObjectType, size: number): Uint8Array {
  // ASCII only: built by hand rather than through TextEncoder (called once per object hashed).
  const s = `${type} ${size}\0`;
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function hashObject(type: ObjectType, data: Uint8Array): Oid {
  const h = createHash("sha1");
  h.update(objectHeader(type, data.length));
  h.update(data);
  return h.digest("hex");
}
