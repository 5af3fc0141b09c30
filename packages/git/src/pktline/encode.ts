/**
 * gitprotocol-common "pkt-line Format": a 4-hex-digit length (including itself) then the payload.
 * 0000 flush-pkt, 0001 delim-pkt (v2), 0002 response-end-pkt (v2, added by remote-curl over HTTP).
 */
import { encodeUtf8 } from "../io/bytes.js";

export const MAX_PKT_PAYLOAD = 65516;
export const FLUSH = encodeUtf8("0000");
export const DELIM = encodeUtf8("0001");

const HEX = "0123456789abcdef";

export function pkt(payload: string | Uint8Array): Uint8Array {
  const data = typeof payload === "string" ? encodeUtf8(payload) : payload;
  if (data.length > MAX_PKT_PAYLOAD) throw new RangeError("pkt-line payload too long");
  const n = data.length + 4;
  const out = new Uint8Array(n);
  out[0] = HEX.charCodeAt((n >> 12) & 15);
  out[1] = HEX.charCodeAt((n >> 8) & 15);
  out[2] = HEX.charCodeAt((n >> 4) & 15);
  out[3] = HEX.charCodeAt(n & 15);
  out.set(data, 4);
  return out;
}

/** A text line: git terminates text pkt-lines with LF. */
export const pktLine = (line: string): Uint8Array => pkt(line + "\n");
