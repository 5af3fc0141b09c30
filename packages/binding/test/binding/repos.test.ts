// docs/contract.md "Names" (names, case) and "Namespace methods" (create, get, delete) through env.ARTIFACTS, plus "Repo handle"'s
// rule that a handle remembers the repo id it was obtained for.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { startService, type ServiceHandle } from "../support/service.js";
import { fails, ISO, pushOk, reachable, bearer, REPO_ID, TOKEN } from "./helpers.js";

let svc: ServiceHandle;
let sb: GitSandbox;
let src: string;

beforeAll(async () => {
  svc = await startService();
  sb = await GitSandbox.create("binding-repos-");
  src = sb.path("src");
  await sb.ok(["init", "-q", src]);
  await sb.client(src).commit("first", { "a.txt": "a\n" }, 1);
  await svc.artifacts.create("fork-src-names");
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

const VALID = ["a", "Z", "7", "a.b", "a_b", "a-b", "a..b", "x.git", "A1._-", "0leading-digit", "a".repeat(63), "Mixed.Case_1"];
const INVALID: unknown[] = [
  "",
  "a".repeat(64),
  ".a",
  "-a",
  "_a",
  "a/b",
  "a b",
  " a",
  "a ",
  "a\n",
  "a:b",
  "a@b",
  "a~b",
  "é",
  "aé",
  "日本",
  "a\u0000",
  1,
  null,
  true,
  {},
  ["a"],
];

describe("names (docs/contract.md 'Names')", () => {
  test.each(VALID)("valid: %j", async (name) => {
    const r = await svc.artifacts.create(name);
    expect(r.name).toBe(name);
    const repo = await svc.artifacts.get(name);
    expect((await repo.info()).name).toBe(name);
    expect(await svc.artifacts.delete(name)).toBe(true);
  });

  test.each(INVALID.map((n) => [n]))("invalid on create, get, delete, fork and import: %j", async (name) => {
    const a = svc.artifacts as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await fails(() => a.create!(name), "INVALID_REPO_NAME", "Invalid repo name.");
    await fails(() => a.get!(name), "INVALID_REPO_NAME", "Invalid repo name.");
    await fails(() => a.delete!(name), "INVALID_REPO_NAME", "Invalid repo name.");
    await fails(() => a.import!({ source: { url: "https://example.com/r.git" }, target: { name } }), "INVALID_REPO_NAME", "Invalid repo name.");
    const src = await svc.artifacts.get("fork-src-names");
    await fails(() => (src.fork as (...args: unknown[]) => Promise<unknown>)(name), "INVALID_REPO_NAME", "Invalid repo name.");
  });
});

describe("case (docs/contract.md 'Names')", () => {
  test("unique without regard to case, but the original spelling is kept everywhere", async () => {
    const r = await svc.artifacts.create("CaseFoo");
    await fails(() => svc.artifacts.create("casefoo"), "ALREADY_EXISTS", "repo already exists: casefoo");
    await fails(() => svc.artifacts.create("CASEFOO"), "ALREADY_EXISTS");
    const repo = await svc.artifacts.get("CASEFOO");
    const info = await repo.info();
    expect(info.name).toBe("CaseFoo");
    expect(info.id).toBe(r.id);
    expect(info.remote).toMatch(/\/git\/default\/CaseFoo\.git$/);
    expect((await svc.artifacts.list({ limit: 200 })).repos.filter((x) => x.name.toLowerCase() === "casefoo").map((x) => x.name)).toEqual(["CaseFoo"]);
    // token operations on a handle got through another spelling reach the same repo
    const other = await svc.artifacts.get("cAsEfOo");
    const t = await other.createToken("read", 600);
    expect((await repo.listTokens()).tokens.map((x) => x.id)).toContain(t.id);
    // a fork source looked up with another spelling is recorded with the stored spelling
    const f = await (await svc.artifacts.get("casefoo")).fork("CaseFork");
    expect((await (await svc.artifacts.get(f.name)).info()).source).toBe("artifacts:default/CaseFoo");
    // the Git remote resolves the repo segment without regard to case
    const lower = reachable(svc, r.remote).replace("CaseFoo.git", "casefoo.git");
    expect((await sb.run([...bearer(r.token), "ls-remote", lower])).code).toBe(0);
    expect(await svc.artifacts.delete("cASEfoo")).toBe(true);
    await fails(() => svc.artifacts.get("CaseFoo"), "NOT_FOUND", "Repository not found: CaseFoo.");
  });
});

describe("create (docs/contract.md 'Namespace methods')", () => {
  test("defaults: empty repo on main, write token for 86,400 s, exact result and info shapes", async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await svc.artifacts.create("defaults");
    const after = Math.ceil(Date.now() / 1000);
    expect(Object.keys(r).sort()).toEqual(["defaultBranch", "description", "id", "name", "remote", "token"]);
    expect(r).toMatchObject({ name: "defaults", description: null, defaultBranch: "main" });
    expect(r.id).toMatch(REPO_ID);
    expect(r.remote).toBe("http://127.0.0.1:8787/git/default/defaults.git");
    const m = TOKEN.exec(r.token);
    expect(m, r.token).not.toBeNull();
    const expires = Number(m![1]);
    expect(expires).toBeGreaterThanOrEqual(before + 86_400);
    expect(expires).toBeLessThanOrEqual(after + 86_400);

    const repo = await svc.artifacts.get("defaults");
    const info = await repo.info();
    expect(Object.keys(info).sort()).toEqual([
      "createdAt",
      "defaultBranch",
      "description",
      "id",
      "lastPushAt",
      "name",
      "readOnly",
      "remote",
      "source",
      "updatedAt",
    ]);
    expect(info).toMatchObject({
      id: r.id,
      name: "defaults",
      description: null,
      defaultBranch: "main",
      lastPushAt: null,
      source: null,
      readOnly: false,
      remote: r.remote,
    });
    expect(info.createdAt).toMatch(ISO);
    expect(info.updatedAt).toBe(info.createdAt);

    // the initial token: listed (write, active) with the expiry its suffix states; the repo is empty
    const tokens = await repo.listTokens();
    expect(tokens.total).toBe(1);
    expect(tokens.tokens[0]).toMatchObject({ scope: "write", state: "active" });
    expect(Math.floor(Date.parse(tokens.tokens[0]!.expiresAt) / 1000)).toBe(expires);
    expect(Date.parse(tokens.tokens[0]!.expiresAt) - Date.parse(tokens.tokens[0]!.createdAt)).toBe(86_400_000);
    expect(await repo.log()).toEqual([]);
    const ls = await sb.ok([...bearer(r.token), "ls-remote", reachable(svc, r.remote)]);
    expect(ls.trim()).toBe("");
  });

  test("options: description, readOnly and setDefaultBranch are kept; HEAD is the default branch", async () => {
    const r = await svc.artifacts.create("opts", { description: "hello", readOnly: false, setDefaultBranch: "trunk" });
    expect(r).toMatchObject({ description: "hello", defaultBranch: "trunk" });
    const info = await (await svc.artifacts.get("opts")).info();
    expect(info).toMatchObject({ description: "hello", readOnly: false, defaultBranch: "trunk" });
    await pushOk(sb, svc, src, r, ["main:trunk"]);
    const sym = await sb.ok([...bearer(r.token), "ls-remote", "--symref", reachable(svc, r.remote), "HEAD"]);
    expect(sym).toMatch(/^ref: refs\/heads\/trunk\tHEAD$/m);
    const ro = await svc.artifacts.create("opts-ro", { readOnly: true });
    expect((await (await svc.artifacts.get(ro.name)).info()).readOnly).toBe(true);
  });

  test("options validation, with the simulator's messages", async () => {
    const create = svc.artifacts.create as (...args: unknown[]) => Promise<unknown>;
    for (const bad of ["yes", 1, 0, null, "true"])
      await fails(() => create("v1", { readOnly: bad }), "INVALID_INPUT", "Artifacts repository readOnly must be a boolean");
    for (const bad of [1, true, {}, ["x"], null])
      await fails(() => create("v2", { description: bad }), "INVALID_INPUT", "Artifacts repository description must be a string");
    for (const bad of ["x", 1, true, [], null]) await fails(() => create("v3", bad), "INVALID_INPUT", "Artifacts repository options must be an object");
    const branches = [
      "",
      "b".repeat(257),
      "-x",
      ".x",
      "x/",
      "x.",
      "x.lock",
      "@",
      "a..b",
      "a//b",
      "a@{b",
      "a/.b",
      "a b",
      "a\tb",
      "a~b",
      "a^b",
      "a:b",
      "a?b",
      "a*b",
      "a[b",
      "a\\b",
      5,
      true,
      null,
    ];
    for (const bad of branches) await fails(() => create("v4", { setDefaultBranch: bad }), "INVALID_INPUT", "Artifacts default branch is invalid");
    // nothing was created by the failed calls
    for (const n of ["v1", "v2", "v3", "v4"]) await fails(() => svc.artifacts.get(n), "NOT_FOUND");
    // the edges that are allowed
    for (const [i, ok] of ["feature/x", "release-1.0", "a@b", "b".repeat(256), "UPPER", "x.y"].entries()) {
      expect((await svc.artifacts.create(`branch-ok-${i}`, { setDefaultBranch: ok })).defaultBranch).toBe(ok);
    }
  });

  test("ALREADY_EXISTS for a taken name", async () => {
    await svc.artifacts.create("taken");
    await fails(() => svc.artifacts.create("taken"), "ALREADY_EXISTS", "repo already exists: taken");
  });
});

describe("get and delete (docs/contract.md 'Namespace methods')", () => {
  test("get of a missing repo is NOT_FOUND with the simulator's message", async () => {
    await fails(() => svc.artifacts.get("missing-repo"), "NOT_FOUND", "Repository not found: missing-repo.");
  });

  test("delete is true once, then false; the repo is gone from get and list", async () => {
    await svc.artifacts.create("gone");
    const total = (await svc.artifacts.list()).total;
    expect(await svc.artifacts.delete("gone")).toBe(true);
    expect(await svc.artifacts.delete("gone")).toBe(false);
    expect(await svc.artifacts.delete("never-existed")).toBe(false);
    await fails(() => svc.artifacts.get("gone"), "NOT_FOUND");
    const list = await svc.artifacts.list({ limit: 200 });
    expect(list.total).toBe(total - 1);
    expect(list.repos.map((r) => r.name)).not.toContain("gone");
  });

  test("tokens die with the repo, also when the name is created again", async () => {
    const first = await svc.artifacts.create("reborn");
    await pushOk(sb, svc, src, first, ["main"]);
    const extra = await (await svc.artifacts.get("reborn")).createToken("read", 3600);
    expect(await svc.artifacts.delete("reborn")).toBe(true);
    const second = await svc.artifacts.create("reborn");
    expect(second.id).not.toBe(first.id);
    const remote = reachable(svc, second.remote);
    for (const old of [first.token, extra.plaintext]) {
      const r = await sb.run([...bearer(old), "ls-remote", remote]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Authentication failed|could not read Username/);
    }
    const handle = await svc.artifacts.get("reborn");
    expect(await handle.revokeToken(first.token)).toBe(false);
    expect(await handle.revokeToken(extra.id)).toBe(false);
    expect((await handle.listTokens()).total).toBe(1);
    // the new repo starts empty: nothing of the old one's objects or refs
    expect(await handle.log()).toEqual([]);
    expect((await sb.ok([...bearer(second.token), "ls-remote", remote])).trim()).toBe("");
  });

  for (const recreate of [false, true]) {
    test(`a handle to a ${recreate ? "deleted and re-created" : "deleted"} repo answers NOT_FOUND on every method`, async () => {
      const name = recreate ? "stale-recreated" : "stale-deleted";
      const created = await svc.artifacts.create(name);
      await pushOk(sb, svc, src, created, ["main"]);
      const handle = await svc.artifacts.get(name);
      const head = (await handle.log())[0]!;
      const tok = await handle.createToken("read", 600);
      expect(await svc.artifacts.delete(name)).toBe(true);
      if (recreate) {
        const again = await svc.artifacts.create(name);
        await pushOk(sb, svc, src, again, ["main"]);
      }
      const msg = `Repository not found: ${name}.`;
      await fails(() => handle.info(), "NOT_FOUND", msg);
      await fails(() => handle.createToken(), "NOT_FOUND", msg);
      await fails(() => handle.listTokens(), "NOT_FOUND", msg);
      await fails(() => handle.revokeToken(tok.id), "NOT_FOUND", msg);
      await fails(() => handle.revokeToken(tok.plaintext), "NOT_FOUND", msg);
      await fails(() => handle.readBlob(head.treeHash), "NOT_FOUND", msg);
      await fails(() => handle.readTree(head.treeHash), "NOT_FOUND", msg);
      await fails(() => handle.readCommit(head.hash), "NOT_FOUND", msg);
      await fails(() => handle.readFile({ ref: "main", path: "a.txt" }), "NOT_FOUND", msg);
      await fails(() => handle.log(), "NOT_FOUND", msg);
      await fails(() => handle.fork(`${name}-fork`), "NOT_FOUND", msg);
      await fails(() => svc.artifacts.get(`${name}-fork`), "NOT_FOUND");
      // argument errors come first, as on a live handle
      await fails(() => handle.createToken("write", 1), "INVALID_TTL");
      await fails(() => handle.revokeToken("x"), "INVALID_INPUT");
      await fails(() => handle.readBlob("x"), "INVALID_INPUT");
      await fails(() => handle.readTree(""), "INVALID_INPUT");
      await fails(() => handle.readCommit("A".repeat(40)), "INVALID_INPUT");
      await fails(() => handle.readFile({ ref: "", path: "a.txt" }), "INVALID_INPUT");
      await fails(() => handle.log({ limit: 0 }), "INVALID_INPUT");
      await fails(() => handle.fork("bad name"), "INVALID_REPO_NAME");
      await fails(() => handle.fork(`${name}-fork`, { readOnly: "no" } as never), "INVALID_INPUT");
      if (recreate) {
        // the new repo is untouched by calls on the old handle
        const fresh = await svc.artifacts.get(name);
        expect((await fresh.listTokens()).total).toBe(1);
        expect((await fresh.log()).map((c) => c.hash)).toEqual([head.hash]);
      }
    });
  }
});
