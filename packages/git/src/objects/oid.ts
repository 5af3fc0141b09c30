/** Object ids are lowercase 40-char hex strings at every API boundary; 20-byte forms only on the wire. */
export type Oid = string;

export const ZERO_OID: Oid = "0".repeat(40);
const HEX_RE = /^[0-9a-f]{40}$/;

export function isOid(s: string): boolean {
  return HEX_RE.test(s);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function bytesToHex(b: Uint8Array, start = 0, end = b.length): string {
  let s = "";
  for (let i = start; i < end; i++) s += HEX[b[i]!];
  return s;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}
