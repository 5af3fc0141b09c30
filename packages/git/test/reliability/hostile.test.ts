/**
 * The hostile-request corpus (test/support/hostile-corpus.ts) against the engine's dev server with the service's
 * 32 MiB object limit: every request gets a clean refusal (never a 500 or a dropped connection), changes no ref,
 * adds no live object and leaves no quarantine open; afterwards the server still serves, and clones of the target and
 * of a bystander repo are `git fsck --strict` clean with the refs they had.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startDevServer, type DevServer } from "../../node/server";
import { hostileCases, sendCase, type Target } from "../support/hostile-corpus";
import { fsck, GitSandbox } from "../support/git";

const MiB = 1024 * 1024;
let sb: GitSandbox;
let dev: DevServer;
let target: Target;
const refsBefore = new Map<string, string>();

const refsOf = async (repo: string) => JSON.stringify(await dev.repos.get(repo)!.listRefs());

beforeAll(async () => {
  sb = await GitSandbox.create("hostile-");
  dev = await startDevServer({ git: { limits: { maxRefsPerPush: 1000, maxObjectSize: 32 * MiB } } });
  const src = sb.client(sb.path("src"));
  await sb.ok(["init", "-q", "-b", "main", src.dir]);
  await src.commit("first", { "README.md": "# target\n", "dir/file.txt": "in a directory\n" }, 1);
  await src.commit("second", { "README.md": "# target\n\nmore\n" }, 2);
  for (const repo of ["target", "bystander"]) {
    await src.ok(["push", "-q", `${dev.url}/${repo}.git`, "main"]);
    refsBefore.set(repo, await refsOf(repo));
  }
  target = {
    head: await src.line(["rev-parse", "HEAD"]),
    tree: await src.line(["rev-parse", "HEAD:dir"]),
    blob: await src.line(["rev-parse", "HEAD:README.md"]),
  };
});
afterAll(async () => {
  await dev?.close();
  await sb?.dispose();
});

describe("hostile requests", () => {
  // Built lazily: the cases need the target's ids, known after beforeAll.
  const names = hostileCases({ head: "0".repeat(40), tree: "0".repeat(40), blob: "0".repeat(40) }).map((c, i) => [c.service, c.name, i] as const);

  test.each(names)("%s: %s", async (_service, _name, i) => {
    const c = hostileCases(target)[i]!;
    const store = dev.repos.get("target")!;
    const objects = store.objectCount;
    const res = await sendCase(`${dev.url}/target.git`, c);
    expect(res.status, res.body.toString("latin1").slice(0, 300)).toBeLessThan(500);
    expect(res.refusal, `not a clean refusal: HTTP ${res.status} ${JSON.stringify(res.body.toString("latin1").slice(0, 300))}`).not.toBeNull();
    if (c.status !== undefined) expect(res.status).toBe(c.status);
    // A refusal is one line of text or git's own packets: never a stack trace.
    expect(res.body.toString("latin1")).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
    expect(await refsOf("target")).toBe(refsBefore.get("target"));
    expect(store.objectCount).toBe(objects);
    expect(store.openQuarantines).toBe(0);
  });

  test("afterwards: the server serves, refs are unchanged, target and bystander clone fsck --strict clean", async () => {
    for (const repo of ["target", "bystander"]) {
      expect(await refsOf(repo)).toBe(refsBefore.get(repo));
      const c = sb.client(sb.path(`after-${repo}`));
      await sb.ok(["clone", "-q", "--mirror", `${dev.url}/${repo}.git`, c.dir]);
      const check = await fsck(c);
      expect(check.code, check.stderr).toBe(0);
      expect((await c.ok(["for-each-ref", "--format=%(objectname) %(refname)"])).trim()).toBe(`${target.head} refs/heads/main`);
    }
  });
});
