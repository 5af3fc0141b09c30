/** Object ids are lowercase 40-char hex strings at every API boundary; 20-byte forms only on the wire. */
export type Oid = string;

export const ZERO_OID: Oid = "0".repeat(40);
const HEX_RE = /^[0-9a-f]{40}$/;

export function isOid(s: string): boolean {
  return HEX_RE.test(s);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

const HEX_CODES = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** Hex of the 20 bytes at b[p..p+20]: one flat string in one call (object ids are hashed as Map/Set keys). */
export function oidAt(b: Uint8Array, p: number): Oid {
  const h = HEX_CODES;
  return String.fromCharCode(
    h[b[p]! >> 4]!,
    h[b[p]! & 15]!,
    h[b[p + 1]! >> 4]!,
    h[b[p + 1]! & 15]!,
    h[b[p + 2]! >> 4]!,
    h[b[p + 2]! & 15]!,
    h[b[p + 3]! >> 4]!,
    h[b[p + 3]! & 15]!,
    h[b[p + 4]! >> 4]!,
    h[b[p + 4]! & 15]!,
    h[b[p + 5]! >> 4]!,
    h[b[p + 5]! & 15]!,
    h[b[p + 6]! >> 4]!,
    h[b[p + 6]! & 15]!,
    h[b[p + 7]! >> 4]!,
    h[b[p + 7]! & 15]!,
    h[b[p + 8]! >> 4]!,
    h[b[p + 8]! & 15]!,
    h[b[p + 9]! >> 4]!,
    h[b[p + 9]! & 15]!,
    h[b[p + 10]! >> 4]!,
    h[b[p + 10]! & 15]!,
    h[b[p + 11]! >> 4]!,
    h[b[p + 11]! & 15]!,
    h[b[p + 12]! >> 4]!,
    h[b[p + 12]! & 15]!,
    h[b[p + 13]! >> 4]!,
    h[b[p + 13]! & 15]!,
    h[b[p + 14]! >> 4]!,
    h[b[p + 14]! & 15]!,
    h[b[p + 15]! >> 4]!,
    h[b[p + 15]! & 15]!,
    h[b[p + 16]! >> 4]!,
    h[b[p + 16]! & 15]!,
    h[b[p + 17]! >> 4]!,
    h[b[p + 17]! & 15]!,
    h[b[p + 18]! >> 4]!,
    h[b[p + 18]! & 15]!,
    h[b[p + 19]! >> 4]!,
    h[b[p + 19]! & 15]!,
  );
}

export function bytesToHex(b: Uint8Array, start = 0, end = b.length): string {
  if (end - start === 20 && end <= b.length) return oidAt(b, start);
  let s = "";
  for (let i = start; i < end; i++) s += HEX[b[i]!];
  return s;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
