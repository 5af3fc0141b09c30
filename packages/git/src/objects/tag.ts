import { decodeLatin1 } from "../io/bytes.js";
import { parseHeaders, serializeHeaders } from "./headers.js";
import { GitFormatError } from "../errors.js";
import { isOid, type Oid } from "./oid.js";
import type { ObjectType } from "./types.js";

/** An annotated tag; headers kept in order for byte-exact round trips. */
export interface Tag {
  object: Oid;
  type: ObjectType;
  tag: string;
  tagger?: string;
  headers: Array<[string, string]>;
  message: string;
}

const TYPES = new Set(["commit", "tree", "blob", "tag"]);

export function parseTag(data: Uint8Array): Tag {
  const { headers, message } = parseHeaders(decodeLatin1(data), "tag");
  const get = (k: string) => headers.find((h) => h[0] === k)?.[1];
  const object = get("object");
  const type = get("type");
  const tag = get("tag");
  if (!object || !isOid(object)) throw new GitFormatError("tag: missing or invalid object");
  if (!type || !TYPES.has(type)) throw new GitFormatError("tag: missing or invalid type");
  if (tag === undefined) throw new GitFormatError("tag: missing tag name");
  const tagger = get("tagger");
  return { object, type: type as ObjectType, tag, ...(tagger !== undefined ? { tagger } : {}), headers, message };
}

export function serializeTag(t: Tag): Uint8Array {
  return serializeHeaders(t.headers, t.message);
}
