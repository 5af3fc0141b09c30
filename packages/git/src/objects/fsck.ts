/**
 * The object checks `git receive-pack` runs with `transfer.fsckObjects` (git's fsck.c: fsck_tree,
 * fsck_commit, fsck_tag_standalone, fsck_ident), with git's message ids and texts, so a push of an
 * object no client could check out is refused the way git refuses it. Checks git only warns about
 * are left out, except the tree-mode ones (see docs/contract-choices.md, "Incoming objects are
 * checked like transfer.fsckObjects").
 */
import type { Oid } from "./oid.js";
import type { ObjectType } from "./types.js";
import { GitError } from "../errors.js";
import { decodeLatin1 as latin1 } from "../io/bytes.js";

/** An object that git's fsck refuses; `id` is git's message id (e.g. `hasDotgit`). */
export class FsckError extends GitError {
  override name = "FsckError";
  constructor(
    readonly oid: Oid,
    readonly id: string,
    readonly detail: string,
  ) {
    super(`object ${oid}: ${id}: ${detail}`);
  }
}

/** An object that links to another of the wrong type (git: "object X is a blob, not a tree"). */
export class ObjectTypeError extends GitError {
  override name = "ObjectTypeError";
}

type Problem = [id: string, detail: string];

/** Unicode code points HFS+ ignores in names (git's is_hfs_dotgit), as their UTF-8 bytes in a latin1 string. */
const HFS_IGNORED = /\xe2\x80[\x8c-\x8f\xaa-\xae]|\xe2\x81[\xaa-\xaf]|\xef\xbb\xbf/g;

/** `.git` as some filesystem would see it: any case, HFS+ ignorables, NTFS trailing dots/spaces or 8.3 `git~1`. */
export function isDotGitName(name: string): boolean {
  const n = name.replace(HFS_IGNORED, "").toLowerCase();
  return /^(\.git|git~1)[ .]*(:.*)?$/.test(n);
}

const ALLOWED_MODES = new Set([0o100644, 0o100755, 0o120000, 0o40000, 0o160000]);

/** git's fsck_tree on a raw tree (names are bytes, compared bytewise). Returns every problem found. */
export function fsckTree(data: Uint8Array): Problem[] {
  let nullSha1 = false,
    fullPath = false,
    emptyName = false,
    dot = false,
    dotdot = false,
    dotgit = false;
  let zeroPad = false,
    badMode = false,
    dups = false,
    unsorted = false;
  const seen = new Set<string>();
  let prev: { name: string; dir: boolean } | undefined;
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    const nul = sp < 0 ? -1 : data.indexOf(0, sp + 1);
    if (sp <= i || nul < 0 || nul + 21 > data.length) return [["badTree", "cannot be parsed as a tree"]];
    let mode = 0;
    for (let k = i; k < sp; k++) {
      const c = data[k]!;
      if (c < 0x30 || c > 0x37 || mode > 0o7777777) return [["badTree", "cannot be parsed as a tree"]];
      mode = mode * 8 + (c - 0x30);
    }
    if (data[i] === 0x30) zeroPad = true;
    if (!ALLOWED_MODES.has(mode)) badMode = true;
    let name = "";
    for (let k = sp + 1; k < nul; k++) name += String.fromCharCode(data[k]!);
    let allZero = true;
    for (let k = nul + 1; k < nul + 21; k++) if (data[k] !== 0) allZero = false;
    if (allZero) nullSha1 = true;
    if (name.includes("/")) fullPath = true;
    if (name === "") emptyName = true;
    if (name === ".") dot = true;
    if (name === "..") dotdot = true;
    if (isDotGitName(name)) dotgit = true;
    const dir = (mode & 0o170000) === 0o40000;
    if (seen.has(name)) dups = true;
    else if (prev) {
      // git's verify_ordered: byte order, a tree's name compared as if it ended in "/".
      const a = prev.dir ? prev.name + "/" : prev.name;
      const b = dir ? name + "/" : name;
      if (a > b) unsorted = true;
    }
    seen.add(name);
    prev = { name, dir };
    i = nul + 21;
  }
  const out: Problem[] = [];
  if (nullSha1) out.push(["nullSha1", "contains entries pointing to null sha1"]);
  if (fullPath) out.push(["fullPathname", "contains full pathnames"]);
  if (emptyName) out.push(["emptyName", "contains empty pathname"]);
  if (dot) out.push(["hasDot", "contains '.'"]);
  if (dotdot) out.push(["hasDotdot", "contains '..'"]);
  if (dotgit) out.push(["hasDotgit", "contains '.git'"]);
  if (zeroPad) out.push(["zeroPaddedFilemode", "contains zero-padded file modes"]);
  if (badMode) out.push(["badFilemode", "contains bad file modes"]);
  if (dups) out.push(["duplicateEntries", "contains duplicate file entries"]);
  if (unsorted) out.push(["treeNotSorted", "not properly sorted"]);
  return out;
}

/** git's verify_headers: no NUL in the header block, and the last header line ends in LF. */
function verifyHeaders(t: string): Problem | undefined {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0) return ["nulInHeader", `unterminated header: NUL at offset ${i}`];
    if (c === 10 && t.charCodeAt(i + 1) === 10) return undefined;
  }
  return t.endsWith("\n") ? undefined : ["unterminatedHeader", "unterminated header"];
}

/** git's fsck_ident on the text after "author " etc. Returns [problem] or the rest after the line. */
function fsckIdent(t: string, p: number): { problem?: Problem; next: number } {
  const eol = t.indexOf("\n", p);
  const next = eol < 0 ? t.length : eol + 1;
  const bad = (id: string, what: string) => ({ problem: [id, `invalid author/committer line - ${what}`] as Problem, next });
  if (t[p] === "<") return bad("missingNameBeforeEmail", "missing space before email");
  const stop = (q: number) => {
    while (q < t.length && t[q] !== "<" && t[q] !== ">" && t[q] !== "\n") q++;
    return q;
  };
  let q = stop(p);
  if (t[q] === ">") return bad("badName", "bad name");
  if (t[q] !== "<") return bad("missingEmail", "missing email");
  if (t[q - 1] !== " ") return bad("missingSpaceBeforeEmail", "missing space before email");
  q = stop(q + 1);
  if (t[q] !== ">") return bad("badEmail", "bad email");
  q++;
  if (t[q] !== " ") return bad("missingSpaceBeforeDate", "missing space before date");
  q++;
  if (t[q] === "0" && t[q + 1] !== " ") return bad("zeroPaddedDate", "zero-padded date");
  let e = q;
  while (e < t.length && t[e]! >= "0" && t[e]! <= "9") e++;
  if (e - q > 19 || (e > q && Number(t.slice(q, e)) > Number.MAX_SAFE_INTEGER)) return bad("badDateOverflow", "date causes integer overflow");
  if (e === q || t[e] !== " ") return bad("badDate", "bad date");
  const z = t.slice(e + 1, e + 7);
  if (!/^[+-][0-9]{4}\n$/.test(z)) return bad("badTimezone", "bad time zone");
  return { next: e + 7 };
}

const OID_LINE = /^[0-9a-f]{40}\n/;

/** git's fsck_commit (strict). */
export function fsckCommit(data: Uint8Array): Problem[] {
  const t = latin1(data);
  const h = verifyHeaders(t);
  if (h) return [h];
  let p = 0;
  if (!t.startsWith("tree ")) return [["missingTree", "invalid format - expected 'tree' line"]];
  p += 5;
  if (!OID_LINE.test(t.slice(p, p + 41))) return [["badTreeSha1", "invalid 'tree' line format - bad sha1"]];
  p += 41;
  while (t.startsWith("parent ", p)) {
    p += 7;
    if (!OID_LINE.test(t.slice(p, p + 41))) return [["badParentSha1", "invalid 'parent' line format - bad sha1"]];
    p += 41;
  }
  let authors = 0;
  while (t.startsWith("author ", p)) {
    authors++;
    const r = fsckIdent(t, p + 7);
    if (r.problem) return [r.problem];
    p = r.next;
  }
  if (authors < 1) return [["missingAuthor", "invalid format - expected 'author' line"]];
  if (authors > 1) return [["multipleAuthors", "invalid format - multiple 'author' lines"]];
  if (!t.startsWith("committer ", p)) return [["missingCommitter", "invalid format - expected 'committer' line"]];
  const r = fsckIdent(t, p + 10);
  if (r.problem) return [r.problem];
  if (t.includes("\0")) return [["nulInCommit", "NUL byte in the commit object body"]];
  return [];
}

const TAG_TYPES = new Set(["commit", "tree", "blob", "tag"]);

/** git's fsck_tag_standalone (strict; the info-level checks, tag name and tagger presence, only warn in git). */
export function fsckTag(data: Uint8Array): Problem[] {
  const t = latin1(data);
  const h = verifyHeaders(t);
  if (h) return [h];
  if (!t.startsWith("object ")) return [["missingObject", "invalid format - expected 'object' line"]];
  let p = 7;
  if (!OID_LINE.test(t.slice(p, p + 41))) return [["badObjectSha1", "invalid 'object' line format - bad sha1"]];
  p += 41;
  if (!t.startsWith("type ", p)) return [["missingTypeEntry", "invalid format - expected 'type' line"]];
  p += 5;
  let eol = t.indexOf("\n", p);
  if (eol < 0) return [["missingType", "invalid format - unexpected end after 'type' line"]];
  if (!TAG_TYPES.has(t.slice(p, eol))) return [["badType", "invalid 'type' value"]];
  p = eol + 1;
  if (!t.startsWith("tag ", p)) return [["missingTagEntry", "invalid format - expected 'tag' line"]];
  eol = t.indexOf("\n", p + 4);
  if (eol < 0) return [["missingTag", "invalid format - unexpected end after 'type' line"]];
  p = eol + 1;
  if (t.startsWith("tagger ", p)) {
    const r = fsckIdent(t, p + 7);
    if (r.problem) return [r.problem];
  }
  return [];
}

/** Throw FsckError for the first problem git's strict fsck finds in an object. */
export function fsckObject(oid: Oid, type: ObjectType, data: Uint8Array): void {
  const problems = type === "tree" ? fsckTree(data) : type === "commit" ? fsckCommit(data) : type === "tag" ? fsckTag(data) : [];
  const first = problems[0];
  if (first) throw new FsckError(oid, first[0], first[1]);
}
