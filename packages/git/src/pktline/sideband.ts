/**
 * Side-band multiplexing (gitprotocol-pack "Packfile Data"): each pkt payload starts with a band
 * byte. 1 = pack data, 2 = progress (shown as "remote: ..."), 3 = fatal error.
 * side-band-64k allows 65515 data bytes per packet, side-band 999.
 */
import { MAX_PKT_PAYLOAD, pkt } from "./encode.js";
import { encodeUtf8 } from "../io/bytes.js";

export const BAND_DATA = 1;
export const BAND_PROGRESS = 2;
export const BAND_ERROR = 3;

export function* sidebandPackets(band: number, data: Uint8Array, max = 65515): Generator<Uint8Array> {
  for (let i = 0; i < data.length; i += max) {
    const n = Math.min(max, data.length - i);
    const out = new Uint8Array(n + 5);
    out.set(data.subarray(i, i + n), 5);
    yield frameSideband(out, band);
  }
}

/**
 * Write a side-band pkt header (length and band byte) into the first 5 bytes of `buf`, whose
 * payload is buf[5..]; returns `buf`. Lets writers that reserved the room frame without copying.
 */
export function frameSideband(buf: Uint8Array, band: number): Uint8Array {
  const n = buf.length;
  if (n - 4 > MAX_PKT_PAYLOAD || n < 5) throw new RangeError("pkt-line payload too long");
  buf[0] = HEX_DIGITS[(n >> 12) & 15]!;
  buf[1] = HEX_DIGITS[(n >> 8) & 15]!;
  buf[2] = HEX_DIGITS[(n >> 4) & 15]!;
  buf[3] = HEX_DIGITS[n & 15]!;
  buf[4] = band;
  return buf;
}

const HEX_DIGITS = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

export function sidebandText(band: number, text: string): Uint8Array {
  const d = encodeUtf8(text);
  const payload = new Uint8Array(d.length + 1);
  payload[0] = band;
  payload.set(d, 1);
  return pkt(payload);
}
