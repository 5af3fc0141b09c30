// git's fsck checks on single objects (objects/fsck.ts), and the delta size check, without a server.
import { describe, expect, it } from "vitest";
import { applyDelta, FsckError, fsckObject, isDotGitName, LimitExceededError, PackCorruptError } from "../../src/index.js";

const id = "a".repeat(40);
const tree = (rows: Array<[string, string]>) =>
  Buffer.concat(rows.map(([mode, name]) => Buffer.concat([Buffer.from(`${mode} ${name}\0`, "latin1"), Buffer.from(id, "hex")])));
const problem = (type: "tree" | "commit" | "tag", data: Buffer) => {
  try {
    fsckObject("0".repeat(40), type, data);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(FsckError);
    return (e as FsckError).id;
  }
};

describe("fsck", () => {
  it("recognises .git however a filesystem may spell it", () => {
    for (const n of [".git", ".GIT", ".Git", "git~1", "GIT~1", ".git.", ".git ", ".git::$INDEX_ALLOCATION", "\xe2\x80\x8c.git", ".g\xef\xbb\xbfit"])
      expect(isDotGitName(n), n).toBe(true);
    for (const n of [".gitignore", ".gitmodules", "git", ".git2", "x.git"]) expect(isDotGitName(n), n).toBe(false);
  });

  it("reports tree problems with git's message ids, in git's order", () => {
    expect(
      problem(
        "tree",
        tree([
          ["100644", "a"],
          ["100755", "b"],
          ["40000", "c"],
          ["120000", "d"],
          ["160000", "e"],
        ]),
      ),
    ).toBeNull();
    expect(problem("tree", tree([["100644", ".git"]]))).toBe("hasDotgit");
    expect(problem("tree", tree([["100644", ".."]]))).toBe("hasDotdot");
    expect(problem("tree", tree([["100644", "."]]))).toBe("hasDot");
    expect(problem("tree", tree([["100644", ""]]))).toBe("emptyName");
    expect(problem("tree", tree([["100644", "a/b"]]))).toBe("fullPathname");
    expect(problem("tree", tree([["100645", "a"]]))).toBe("badFilemode");
    expect(problem("tree", tree([["040000", "a"]]))).toBe("zeroPaddedFilemode");
    expect(
      problem(
        "tree",
        tree([
          ["100644", "a"],
          ["100644", "a"],
        ]),
      ),
    ).toBe("duplicateEntries");
    expect(
      problem(
        "tree",
        tree([
          ["100644", "a"],
          ["40000", "a"],
        ]),
      ),
    ).toBe("duplicateEntries");
    expect(
      problem(
        "tree",
        tree([
          ["100644", "b"],
          ["100644", "a"],
        ]),
      ),
    ).toBe("treeNotSorted");
    // a tree sorts as if its name ended in "/": "a.b" (0x2e) before the tree "a" ("a/", 0x2f), which is before "a0"
    expect(
      problem(
        "tree",
        tree([
          ["100644", "a.b"],
          ["40000", "a"],
          ["100644", "a0"],
        ]),
      ),
    ).toBeNull();
    expect(
      problem(
        "tree",
        tree([
          ["40000", "a"],
          ["100644", "a.b"],
        ]),
      ),
    ).toBe("treeNotSorted");
    expect(problem("tree", Buffer.from("100644 truncated"))).toBe("badTree");
  });

  it("reports commit and tag header problems", () => {
    const who = "A U Thor <a@example.com> 1700000000 +0000";
    const commit = (s: string) => Buffer.from(s, "latin1");
    expect(problem("commit", commit(`tree ${id}\nauthor ${who}\ncommitter ${who}\n\nmsg\n`))).toBeNull();
    expect(problem("commit", commit(`parent ${id}\ntree ${id}\nauthor ${who}\ncommitter ${who}\n\n`))).toBe("missingTree");
    expect(problem("commit", commit(`tree ${id}\ncommitter ${who}\n\n`))).toBe("missingAuthor");
    expect(problem("commit", commit(`tree ${id}\nauthor ${who}\nauthor ${who}\ncommitter ${who}\n\n`))).toBe("multipleAuthors");
    expect(problem("commit", commit(`tree ${id}\nauthor A <a@example.com> 017 +0000\ncommitter ${who}\n\n`))).toBe("zeroPaddedDate");
    expect(problem("commit", commit(`tree ${id}\nauthor A <a@example.com 1 +0000\ncommitter ${who}\n\n`))).toBe("badEmail");
    expect(problem("commit", commit(`tree ${id}\nauthor ${who}\ncommitter A <a@example.com> 1 0000\n\n`))).toBe("badTimezone");
    expect(problem("commit", commit(`tree ${id}\nauthor ${who}\0\ncommitter ${who}\n\n`))).toBe("nulInHeader");
    expect(problem("commit", commit(`tree ${id}\nauthor ${who}\ncommitter ${who}`))).toBe("unterminatedHeader");
    expect(problem("tag", commit(`object ${id}\ntype commit\ntag v1\ntagger ${who}\n\nmsg\n`))).toBeNull();
    expect(problem("tag", commit(`object ${id}\ntype commit\ntag v1\n\nno tagger is only a warning in git\n`))).toBeNull();
    expect(problem("tag", commit(`object ${id}\ntype frob\ntag v1\n\n`))).toBe("badType");
    expect(problem("tag", commit(`type commit\nobject ${id}\ntag v1\n\n`))).toBe("missingObject");
  });
});

describe("delta sizes", () => {
  const base = new Uint8Array(100);
  it("refuses a declared result over the limit before allocating it", () => {
    // base 100, result 2^40, then one copy: no 1 TiB buffer may be attempted (that would be a RangeError).
    const d = new Uint8Array([100, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x90, 10]);
    expect(() => applyDelta(base, d, 32 * 1024 * 1024)).toThrow(LimitExceededError);
  });
  it("refuses instructions that do not produce the declared result", () => {
    expect(() => applyDelta(base, new Uint8Array([100, 50, 0x90, 10]), 1000)).toThrow(PackCorruptError);
    expect(() => applyDelta(base, new Uint8Array([100, 5, 0x90, 10]), 1000)).toThrow(PackCorruptError);
  });
});
