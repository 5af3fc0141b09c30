const enc = new TextEncoder();
const dec = new TextDecoder();

export const encodeUtf8 = (s: string): Uint8Array => enc.encode(s);
export const decodeUtf8 = (b: Uint8Array): string => dec.decode(b);
/**
 * Byte-preserving decode (one char per byte) for headers we must re-serialize exactly: paths and
 * messages need not be UTF-8. Not TextDecoder("latin1"): the Encoding standard makes that
 * windows-1252, which maps bytes 0x80-0x9F to other code points (workerd follows it; Node does not).
 */
export function decodeLatin1(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode.apply(null, b.subarray(i, i + 8192) as unknown as number[]);
  return s;
}
export function encodeLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
