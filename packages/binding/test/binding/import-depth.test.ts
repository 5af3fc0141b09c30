// docs/contract.md "Namespace methods" import `source.depth`: a shallow clone of the remote, as the simulator's
// `git clone --bare --depth N`. The new repo holds only the last N commits of the default branch
// (and tags at its tip); its boundary is kept, so log() ends there, clones of it are shallow at the
// same commits (protocol v2 and v0), pushes on top work, and a fork of it is shallow too.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox, fsck } from "@artifacts-emulator/git/testing/git";
import { startService, type ServiceHandle } from "../support/service.js";
import { bearer, pushOk, reachable } from "./helpers.js";

let svc: ServiceHandle;
let sb: GitSandbox;
let dir: string;
let url: string;
const tips: string[] = [];

beforeAll(async () => {
  svc = await startService({ vars: { ALLOW_HTTP_IMPORT: "1" } });
  sb = await GitSandbox.create("binding-depth-");
  dir = sb.path("src");
  await sb.ok(["init", "-q", dir]);
  const g = sb.client(dir);
  for (let i = 1; i <= 4; i++) tips.push(await g.commit(`commit ${i}`, { [`f${i}.txt`]: `${i}\n`, "README.md": `v${i}\n` }, i));
  await g.ok(["tag", "-a", "v4", "-m", "at the tip"]);
  await g.ok(["tag", "v1", tips[0]!]);
  await g.ok(["branch", "feature", tips[1]!]);
  const up = await svc.artifacts.create("upstream");
  await pushOk(sb, svc, dir, up, ["refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*"]);
  url = reachable(svc, up.remote).replace("http://", `http://x:${up.token.split("?")[0]}@`);
}, 120_000);
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
});

async function clone(created: { remote: string; token: string }, name: string, extra: string[] = []) {
  const dst = sb.path(name);
  await sb.ok([...bearer(created.token), ...extra, "clone", "-q", reachable(svc, created.remote), dst]);
  return sb.client(dst);
}

describe("import with source.depth", () => {
  test("depth 1: only the tip commit of the default branch and its tag; log ends there; clones are shallow at the tip", async () => {
    const r = await svc.artifacts.import({ source: { url, depth: 1 }, target: { name: "shallow1" } });
    const repo = await svc.artifacts.get("shallow1");
    const log = await repo.log();
    expect(log.map((c: { hash: string }) => c.hash)).toEqual([tips[3]]);
    // The commit itself is unchanged: its parent is named, just not stored.
    expect((await repo.readCommit(tips[3]!))!.parents).toEqual([tips[2]]);
    expect(await repo.readCommit(tips[2]!)).toBeNull();
    const refs = (await sb.ok([...bearer(r.token), "ls-remote", reachable(svc, r.remote)]))
      .trim()
      .split("\n")
      .map((l) => l.split("\t")[1]);
    expect(refs).toEqual(["HEAD", "refs/heads/main", "refs/tags/v4", "refs/tags/v4^{}"]);

    for (const [name, extra] of [
      ["clone-v2", ["-c", "protocol.version=2"]],
      ["clone-v0", ["-c", "protocol.version=0"]],
    ] as const) {
      const c = await clone(r, name, [...extra]);
      expect(await c.line(["rev-parse", "--is-shallow-repository"]), name).toBe("true");
      expect(await c.line(["rev-list", "--count", "HEAD"]), name).toBe("1");
      expect((await c.ok(["cat-file", "-p", "HEAD"])).includes(`parent ${tips[2]}`), name).toBe(true);
      expect((await fsck(c)).code, name).toBe(0);
    }

    // A push on top of the shallow history works, and log() now has two commits.
    const c = await clone(r, "clone-push");
    const next = await c.commit("on top", { "top.txt": "top\n" }, 10);
    await sb.ok([...bearer(r.token), "push", "-q", reachable(svc, r.remote), "HEAD:main"], { cwd: c.dir });
    expect((await repo.log()).map((x: { hash: string }) => x.hash)).toEqual([next, tips[3]]);
    const again = await clone(r, "clone-after-push");
    expect(await again.line(["rev-list", "--count", "HEAD"])).toBe("2");
    expect(await again.line(["rev-parse", "--is-shallow-repository"])).toBe("true");

    // A fork of the shallow repo is shallow at the same commit.
    const f = await repo.fork("shallow1-fork");
    const fc = await clone(f, "clone-fork");
    expect(await fc.line(["rev-list", "--count", "HEAD"])).toBe("2");
    expect(await fc.line(["rev-parse", "--is-shallow-repository"])).toBe("true");
    expect((await (await svc.artifacts.get("shallow1-fork")).log()).length).toBe(2);
  });

  test("depth 2 of a named branch: two commits; no depth: the whole history, not shallow", async () => {
    const two = await svc.artifacts.import({ source: { url, depth: 2, branch: "feature" }, target: { name: "shallow2" } });
    expect((await (await svc.artifacts.get("shallow2")).log()).map((c: { hash: string }) => c.hash)).toEqual([tips[1], tips[0]]);
    expect(await (await clone(two, "clone-two")).line(["rev-list", "--count", "HEAD"])).toBe("2");

    const full = await svc.artifacts.import({ source: { url }, target: { name: "full" } });
    expect((await (await svc.artifacts.get("full")).log()).length).toBe(4);
    const c = await clone(full, "clone-full");
    expect(await c.line(["rev-parse", "--is-shallow-repository"])).toBe("false");
    expect(await c.line(["rev-list", "--count", "HEAD"])).toBe("4");
  });
});
