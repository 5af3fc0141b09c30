/** REST request bodies: the one capped reader, and JSON objects read through it. */
import { Refused } from "../errors.js";
import { CF } from "./envelope.js";

/** Largest JSON request body accepted by the control plane. */
export const MAX_JSON_BODY = 1024 * 1024;

/**
 * Past the cap, the rest of a body is read and dropped (up to DRAIN_LIMIT) before the 413 goes
 * out: answering while the client is still sending makes the connection close under it, and
 * HTTP clients then report a socket error instead of the JSON answer.
 */
const DRAIN_LIMIT = 16 * 1024 * 1024;

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number) {
  try {
    for (let read = 0; read < budget;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // the client went away; nothing to answer
  }
}

/** The request body, read with a byte cap whether or not the client sent Content-Length. */
export async function readBody(req: Request, max: number): Promise<Uint8Array> {
  const tooLarge = () => new Refused(413, CF.TOO_LARGE, `Request body is larger than ${max} bytes`);
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const declared = req.headers.get("Content-Length");
  if (declared !== null && Number(declared) > max) {
    await drain(reader, Number(declared) <= DRAIN_LIMIT ? DRAIN_LIMIT : 0);
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await drain(reader, DRAIN_LIMIT - total);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) out.set(c, (o += c.byteLength) - c.byteLength);
  return out;
}

/** A JSON object body (an empty body is `{}`), capped at MAX_JSON_BODY. */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await readBody(req, MAX_JSON_BODY));
  if (text.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Refused(400, CF.BAD_JSON, "Invalid JSON body: could not parse it");
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new Refused(400, CF.BAD_JSON, "Invalid JSON body: expected an object");
  return v as Record<string, unknown>;
}
