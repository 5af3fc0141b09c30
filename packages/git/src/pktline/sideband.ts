/**
 * Side-band multiplexing (gitprotocol-pack "Packfile Data"): each pkt payload starts with a band
 * byte. 1 = pack data, 2 = progress (shown as "remote: ..."), 3 = fatal error.
 * side-band-64k allows 65515 data bytes per packet, side-band 999.
 */
import { pkt } from "./encode.js";
import { encodeUtf8 } from "../objects/bytes.js";

export const BAND_DATA = 1;
export const BAND_PROGRESS = 2;
export const BAND_ERROR = 3;

export function* sidebandPackets(band: number, data: Uint8Array, max = 65515): Generator<Uint8Array> {
  for (let i = 0; i < data.length; i += max) {
    const part = data.subarray(i, Math.min(i + max, data.length));
    const payload = new Uint8Array(part.length + 1);
    payload[0] = band;
    payload.set(part, 1);
    yield pkt(payload);
  }
}

export function sidebandText(band: number, text: string): Uint8Array {
  const d = encodeUtf8(text);
  const payload = new Uint8Array(d.length + 1);
  payload[0] = band;
  payload.set(d, 1);
  return pkt(payload);
}
