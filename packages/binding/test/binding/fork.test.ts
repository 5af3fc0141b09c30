// docs/contract.md "Repo handle" fork: defaultBranchOnly (default true), options, source, errors; clones of forks
// checked with the real git CLI (fsck, refs, objects).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox, fsck, snapshot } from "@artifacts-emulator/git/testing/git";
import { startService, type ServiceHandle } from "../support/service.js";
import { bearer, fails, push, pushOk, reachable } from "./helpers.js";

let svc: ServiceHandle;
let sb: GitSandbox;
let dir: string;
let origin: { id: string; remote: string; token: string; name: string };
const TAGS = 400;

beforeAll(async () => {
  svc = await startService();
  sb = await GitSandbox.create("binding-fork-");
  dir = sb.path("src");
  await sb.ok(["init", "-q", dir]);
  const g = sb.client(dir);
  await g.commit("one", { "README.md": "# fork me\n", "src/a.txt": "a\n" }, 1);
  await g.commit("two", { "src/b.txt": "b\n" }, 2);
  await g.ok(["checkout", "-q", "-b", "feature"]);
  await g.commit("feature work", { "feature.txt": "f\n" }, 3);
  await g.ok(["checkout", "-q", "main"]);
  await g.ok(["tag", "-a", "v1", "-m", "release one"]);
  await g.ok(["notes", "add", "-m", "note", "HEAD"]);
  // many refs, so a full fork moves more ref names than fit in a URL or a header
  const head = await g.line(["rev-parse", "HEAD"]);
  const lines = Array.from({ length: TAGS }, (_, i) => `create refs/tags/bulk/release-with-a-long-name-${String(i).padStart(4, "0")} ${head}`).join("\n");
  await g.ok(["update-ref", "--stdin"], { input: lines + "\n" });
  origin = await svc.artifacts.create("origin", { description: "source description" });
  await pushOk(sb, svc, dir, origin, ["refs/*:refs/*"]);
}, 120_000);
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

async function clone(created: { remote: string; token: string }, mirror = false) {
  const dst = sb.path(mirror ? "mirror" : "clone");
  await sb.ok([...bearer(created.token), "clone", "-q", ...(mirror ? ["--mirror"] : []), reachable(svc, created.remote), dst]);
  const c = sb.client(dst);
  const f = await fsck(c);
  expect(f.code, f.stderr + f.stdout).toBe(0);
  return c;
}
const lsRemote = async (created: { remote: string; token: string }) =>
  sb.ok([...bearer(created.token), "ls-remote", "--symref", reachable(svc, created.remote)]);

describe("fork (docs/contract.md 'Repo handle')", () => {
  test("default: only the default branch, HEAD on it; source recorded, description not inherited; exact result shape", async () => {
    const src = await svc.artifacts.get("origin");
    const f = await src.fork("fork-default");
    expect(Object.keys(f).sort()).toEqual(["defaultBranch", "description", "id", "name", "remote", "token"]);
    expect(f).toMatchObject({ name: "fork-default", description: null, defaultBranch: "main" });
    expect(f.id).not.toBe(origin.id);
    expect(f.remote).toMatch(/\/git\/default\/fork-default\.git$/);
    const info = await (await svc.artifacts.get("fork-default")).info();
    expect(info).toMatchObject({ source: "artifacts:default/origin", description: null, readOnly: false, defaultBranch: "main", lastPushAt: null });
    expect(await lsRemote(f)).toBe(
      `ref: refs/heads/main\tHEAD\n${await sb.client(dir).line(["rev-parse", "main"])}\tHEAD\n${await sb.client(dir).line(["rev-parse", "main"])}\trefs/heads/main\n`,
    );
    const c = await clone(f, true);
    const objects = (await c.ok(["rev-list", "--all", "--objects"])).split("\n").filter(Boolean).sort();
    const expected = (await sb.client(dir).ok(["rev-list", "--objects", "main"])).split("\n").filter(Boolean).sort();
    expect(objects).toEqual(expected);
    // the source is unchanged and keeps its description
    expect((await src.info()).description).toBe("source description");
  });

  test("defaultBranchOnly: false copies every ref; the mirror clone equals the source's", async () => {
    const src = await svc.artifacts.get("origin");
    const f = await src.fork("fork-all", { defaultBranchOnly: false });
    expect(await lsRemote(f)).toBe(await lsRemote(origin));
    const a = await snapshot(await clone(f, true));
    const b = await snapshot(await clone(origin, true));
    expect(a).toEqual(b);
    expect(a.refs.split("\n").filter((l) => l.includes("refs/tags/bulk/"))).toHaveLength(TAGS);
    expect(a.refs).toContain("refs/notes/commits");
    expect(a.refs).toContain("refs/heads/feature");
  });

  test("options: description and readOnly apply to the fork", async () => {
    const src = await svc.artifacts.get("origin");
    const f = await src.fork("fork-ro", { description: "mine", readOnly: true, defaultBranchOnly: true });
    expect(f.description).toBe("mine");
    const info = await (await svc.artifacts.get("fork-ro")).info();
    expect(info).toMatchObject({ description: "mine", readOnly: true });
    const r = await push(sb, svc, dir, f, ["feature"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/read-only|403/);
    await clone(f);
  });

  test("a non-main default branch and an empty source", async () => {
    const trunk = await svc.artifacts.create("src-trunk", { setDefaultBranch: "trunk" });
    await pushOk(sb, svc, dir, trunk, ["main:trunk", "feature"]);
    const f = await (await svc.artifacts.get("src-trunk")).fork("fork-trunk");
    expect(f.defaultBranch).toBe("trunk");
    expect(
      (await lsRemote(f))
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\t")[1]),
    ).toEqual(["HEAD", "HEAD", "refs/heads/trunk"]);
    expect((await lsRemote(f)).startsWith("ref: refs/heads/trunk\tHEAD\n")).toBe(true);

    await svc.artifacts.create("src-empty", { setDefaultBranch: "dev" });
    const e = await (await svc.artifacts.get("src-empty")).fork("fork-empty");
    expect(e.defaultBranch).toBe("dev");
    const handle = await svc.artifacts.get("fork-empty");
    expect(await handle.log()).toEqual([]);
    expect((await lsRemote(e)).trim()).toBe("");
    // an empty fork takes pushes like a new repo
    await pushOk(sb, svc, dir, e, ["main:dev"]);
    expect((await lsRemote(e)).startsWith("ref: refs/heads/dev\tHEAD\n")).toBe(true);
    expect((await handle.log()).length).toBe(2);
  });

  test("forks are independent repos with their own tokens", async () => {
    const src = await svc.artifacts.get("origin");
    const f = await src.fork("fork-indep");
    const g = sb.client(dir);
    await g.ok(["checkout", "-q", "-b", "only-fork"]);
    await g.commit("fork only", { "fork.txt": "x\n" }, 9);
    await pushOk(sb, svc, dir, f, ["only-fork"]);
    await g.ok(["checkout", "-q", "main"]);
    expect(await lsRemote(f)).toContain("refs/heads/only-fork");
    expect(await lsRemote(origin)).not.toContain("refs/heads/only-fork");
    expect((await sb.run([...bearer(f.token), "ls-remote", reachable(svc, origin.remote)])).code).not.toBe(0);
    expect((await sb.run([...bearer(origin.token), "ls-remote", reachable(svc, f.remote)])).code).not.toBe(0);
    // a fork of a fork names its direct source; deleting the source leaves the fork intact
    const ff = await (await svc.artifacts.get("fork-indep")).fork("fork-of-fork");
    expect((await (await svc.artifacts.get(ff.name)).info()).source).toBe("artifacts:default/fork-indep");
    expect(await svc.artifacts.delete("fork-indep")).toBe(true);
    await clone(ff);
    expect((await (await svc.artifacts.get("fork-of-fork")).log()).length).toBe(2);
  });

  test("errors: invalid target name, taken target (any case), invalid options", async () => {
    const src = await svc.artifacts.get("origin");
    const fork = src.fork as (...args: unknown[]) => Promise<unknown>;
    await fails(() => fork("bad name"), "INVALID_REPO_NAME", "Invalid repo name.");
    await fails(() => fork("origin"), "ALREADY_EXISTS", "repo already exists: origin");
    await fails(() => fork("FORK-DEFAULT"), "ALREADY_EXISTS", "repo already exists: FORK-DEFAULT");
    for (const o of ["x", 1, null]) await fails(() => fork("fork-bad", o), "INVALID_INPUT", "Artifacts repository options must be an object");
    await fails(() => fork("fork-bad", { readOnly: "yes" }), "INVALID_INPUT", "Artifacts repository readOnly must be a boolean");
    await fails(() => fork("fork-bad", { description: 5 }), "INVALID_INPUT", "Artifacts repository description must be a string");
    await fails(() => fork("fork-bad", { defaultBranchOnly: "no" }), "INVALID_INPUT", "Artifacts defaultBranchOnly must be a boolean");
    await fails(() => svc.artifacts.get("fork-bad"), "NOT_FOUND");
  });
});
