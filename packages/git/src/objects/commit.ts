import { decodeLatin1 } from "../io/bytes.js";
import { GitFormatError } from "../errors.js";
import { parseHeaders, serializeHeaders } from "./headers.js";
import { isOid, type Oid } from "./oid.js";

/**
 * A commit, with every header kept in order so that serialize(parse(x)) is byte-identical to x
 * (gpgsig, mergetag, encoding and unknown headers included). Strings are latin1-decoded bytes:
 * lossless, since commit headers need not be UTF-8.
 */
export interface Commit {
  tree: Oid;
  parents: Oid[];
  author: string;
  committer: string;
  /** All headers in original order, including tree/parent/author/committer; multi-line values joined by "\n". */
  headers: Array<[key: string, value: string]>;
  message: string;
}

export interface Signature {
  name: string;
  email: string;
  timestamp: number;
  timezone: string;
}

export function parseCommit(data: Uint8Array): Commit {
  // A commit with no message has no blank line in some old objects; git tolerates a missing body.
  let text = decodeLatin1(data);
  if (!text.includes("\n\n") && text.endsWith("\n")) text += "\n";
  const { headers, message } = parseHeaders(text, "commit");
  const tree = headers[0]?.[0] === "tree" ? headers[0][1] : undefined;
  if (!tree || !isOid(tree)) throw new GitFormatError("commit: missing or invalid tree");
  const parents: Oid[] = [];
  let i = 1;
  for (; i < headers.length && headers[i]![0] === "parent"; i++) {
    const p = headers[i]![1];
    if (!isOid(p)) throw new GitFormatError("commit: invalid parent");
    parents.push(p);
  }
  const author = headers.find((h) => h[0] === "author")?.[1];
  const committer = headers.find((h) => h[0] === "committer")?.[1];
  if (author === undefined || committer === undefined) throw new GitFormatError("commit: missing author or committer");
  return { tree, parents, author, committer, headers, message };
}

export function serializeCommit(c: Commit): Uint8Array {
  return serializeHeaders(c.headers, c.message);
}

/** Build a commit from fields (headers derived in git's canonical order). */
export function makeCommit(f: { tree: Oid; parents: Oid[]; author: string; committer: string; message: string; extra?: Array<[string, string]> }): Commit {
  const headers: Array<[string, string]> = [
    ["tree", f.tree],
    ...f.parents.map((p): [string, string] => ["parent", p]),
    ["author", f.author],
    ["committer", f.committer],
    ...(f.extra ?? []),
  ];
  return { tree: f.tree, parents: f.parents, author: f.author, committer: f.committer, headers, message: f.message };
}

/** "Name <email> 1700000000 +0000" */
export function parseSignature(s: string): Signature {
  const m = /^(.*?) ?<([^>]*)> (-?\d+) ([+-]\d{4})$/.exec(s);
  if (!m) return { name: s, email: "", timestamp: 0, timezone: "+0000" };
  return { name: m[1]!, email: m[2]!, timestamp: Number(m[3]), timezone: m[4]! };
}

export function commitTime(c: Commit): number {
  return parseSignature(c.committer).timestamp;
}
