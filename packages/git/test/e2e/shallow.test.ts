/**
 * docs/git-protocol.md "Conformance scenarios" C 13–18 (t5539/t5542/t5537): shallow clone and fetch over v0 and v2 — `deepen N`, `deepen-relative`,
 * `deepen-since`, `deepen-not`, unshallow — and pushes from a shallow clone. Each step's outcome (exit code, commit
 * count, `.git/shallow`, reachable objects) must equal the oracle's, step for step.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { annotatedTagIds, buildSourceRepo, seed, type SourceRepo, withoutTags } from "../support/fixtures";
import { fsck, type GitClient, GitSandbox, type RepoSnapshot, snapshot } from "../support/git";
import { type GitServer, normalize, Oracle, SERVERS } from "../support/server";

let sb: GitSandbox;
let source: SourceRepo;
const oracle = new Oracle((o) => seed(o, "src", source.client));

beforeAll(async () => {
  sb = await GitSandbox.create();
  source = await buildSourceRepo(sb);
});
afterAll(async () => {
  await oracle.close();
  await sb?.dispose();
});

const iso = (unix: number) => new Date(unix * 1000).toISOString();

interface Step {
  code: number;
  stderr?: string;
  count?: number;
  snap?: RepoSnapshot;
  fsck?: string;
}

/** Clones with `cloneArgs`, then runs each fetch in `steps`; records every step's outcome. */
async function scenario(s: GitServer, repo: string, v: string, cloneArgs: string[], steps: string[][]): Promise<Step[]> {
  const dir = sb.path(`shallow-${s.name}-v${v}`);
  const out: Step[] = [];
  const cfg = ["-c", `protocol.version=${v}`];
  const c = await sb.run([...cfg, "clone", "-q", ...cloneArgs, s.url(repo), dir]);
  out.push(await record(s, sb.client(dir), c));
  if (c.code !== 0) return out;
  for (const args of steps) out.push(await record(s, sb.client(dir), await sb.client(dir).run([...cfg, ...args])));
  return out;
}

async function record(s: GitServer, g: GitClient, r: { code: number; stderr: string }): Promise<Step> {
  if (r.code !== 0) return { code: r.code, stderr: normalize(r.stderr, s) };
  const check = await fsck(g);
  return {
    code: 0,
    count: Number(await g.line(["rev-list", "--count", "HEAD"])),
    snap: await snapshot(g),
    fsck: check.code === 0 ? "clean" : check.stderr + check.stdout,
  };
}

describe.each(SERVERS)("shallow against %s", (_name, start) => {
  let srv: GitServer;
  beforeAll(async () => {
    srv = await start();
    await seed(srv, "src", source.client);
  });
  afterAll(async () => {
    await srv?.close();
  });

  describe.each([["2"], ["0"]])("protocol.version=%s", (v) => {
    const same = async (key: string, cloneArgs: string[], steps: string[][] = []) => {
      const got = await scenario(srv, "src", v, cloneArgs, steps);
      for (const [i, step] of got.entries()) {
        expect(step.code, `step ${i}: ${step.stderr ?? ""}`).toBe(0);
        expect(step.fsck, `step ${i}`).toBe("clean");
      }
      const want = await oracle.run(`${key} v${v}`, (o) => scenario(o, "src", v, cloneArgs, steps));
      // v0: no include-tag on our side (contract), so the tags it brings the oracle's client are left out.
      if (srv.name === "ours" && v === "0") {
        const tags = await annotatedTagIds(source.client);
        expect(withoutTags(got, tags)).toEqual(withoutTags(want, tags));
      } else expect(got).toEqual(want);
      return got;
    };

    test("clone --depth 1: one commit, the oracle's .git/shallow", async () => {
      const [clone] = await same("depth1", ["--depth", "1"]);
      expect(clone!.count).toBe(1);
      expect(clone!.snap!.shallow).toEqual([source.main.at(-1)]);
    });

    test("clone --depth 3 --no-single-branch", async () => {
      const [clone] = await same("depth3-all", ["--depth", "3", "--no-single-branch"]);
      expect(clone!.count).toBe(3);
      expect(clone!.snap!.refs).toContain("refs/remotes/origin/feature/x");
    });

    test("--depth 1, then fetch --deepen 2, --depth 5, --unshallow", async () => {
      const total = Number(await source.client.line(["rev-list", "--count", "main"]));
      const steps = await same(
        "deepen",
        ["--depth", "1"],
        [
          ["fetch", "-q", "--deepen", "2"],
          ["fetch", "-q", "--depth", "5"],
          ["fetch", "-q", "--unshallow"],
        ],
      );
      expect(steps.map((s) => s.count)).toEqual([1, 3, expect.any(Number), total]);
      expect(steps[2]!.count).toBeGreaterThanOrEqual(5);
      expect(steps[3]!.snap!.shallow).toBeNull();
    });

    test("--shallow-since, then fetch --shallow-since an older date", async () => {
      const k = source.main.length - 4;
      const steps = await same(
        "since",
        [`--shallow-since=${iso(source.mainDates[k]!)}`],
        [["fetch", "-q", `--shallow-since=${iso(source.mainDates[k - 3]!)}`]],
      );
      expect(steps[0]!.count).toBe(source.main.length - k);
      expect(steps[1]!.count).toBeGreaterThan(steps[0]!.count!);
    });

    test("--shallow-exclude=v1.0 leaves v1.0 out; then fetch --shallow-exclude=v0.9", async () => {
      const steps = await same("exclude", ["--shallow-exclude=v1.0"], [["fetch", "-q", "--shallow-exclude=v0.9"]]);
      expect(steps[0]!.snap!.objects).not.toContain(source.main[2]);
      expect(steps[1]!.count).toBeGreaterThan(steps[0]!.count!);
    });

    test("fetch a branch that forks below the shallow boundary (objects hidden by the client's shallow list)", async () => {
      // t5537 "fetch something upstream has but hidden by clients shallow boundaries"
      const steps = await same("below-boundary", ["--depth", "1"], [["fetch", "-q", "origin", "feature/x:refs/remotes/origin/feature/x"]]);
      expect(steps[1]!.snap!.refs).toContain("refs/remotes/origin/feature/x");
    });

    test("shallow client fetches after the server advanced; the boundary is kept", async () => {
      const repo = `advance-v${v}`;
      const run = async (s: GitServer) => {
        await seed(s, repo, source.client);
        const dir = sb.path(`advance-${s.name}`);
        await sb.ok(["-c", `protocol.version=${v}`, "clone", "-q", "--depth", "1", s.url(repo), dir]);
        const g = sb.client(dir);
        const before = await snapshot(g);
        const pusher = sb.client(sb.path("pusher"));
        await sb.ok(["clone", "-q", s.url(repo), pusher.dir]);
        for (let i = 0; i < 3; i++) await pusher.commit(`new ${i}`, { [`new-${i}.txt`]: `${i}\n` }, 700 + i);
        await pusher.ok(["push", "-q", "origin", "main"]);
        const r = await g.run(["-c", `protocol.version=${v}`, "fetch", "-q", "origin"]);
        return { before, fetch: await record(s, g, r), tip: await pusher.line(["rev-parse", "HEAD"]) };
      };
      const got = await run(srv);
      expect(got.fetch.code, got.fetch.stderr).toBe(0);
      expect(got.fetch.fsck).toBe("clean");
      expect(got.fetch.snap!.refs).toContain(`${got.tip} refs/remotes/origin/main`);
      expect(got.fetch.snap!.shallow).toEqual(got.before.shallow);
      const want = await oracle.run(`advance v${v}`, run);
      const tags = srv.name === "ours" && v === "0" ? await annotatedTagIds(source.client) : new Set<string>();
      if (tags.size) expect(withoutTags(got, tags)).toEqual(withoutTags(want, tags));
      else expect(got).toEqual(want);
    });

    test("push from a shallow clone", async () => {
      const repo = `from-shallow-v${v}`;
      const run = async (s: GitServer) => {
        await seed(s, repo, source.client);
        const dir = sb.path(`push-shallow-${s.name}`);
        await sb.ok(["-c", `protocol.version=${v}`, "clone", "-q", "--depth", "1", s.url(repo), dir]);
        const g = sb.client(dir);
        const tip = await g.commit("from shallow", { "shallow.txt": "s\n" }, 800);
        const r = await g.run(["-c", `protocol.version=${v}`, "push", "origin", "HEAD:refs/heads/from-shallow"]);
        const full = sb.client(sb.path("full-after-shallow-push"));
        await sb.ok(["clone", "-q", "--mirror", s.url(repo), full.dir]);
        const check = await fsck(full);
        return { code: r.code, tip, fsck: check.code === 0 ? "clean" : check.stderr, snap: await snapshot(full) };
      };
      const got = await run(srv);
      expect(got.code).toBe(0);
      expect(got.fsck).toBe("clean");
      expect(got.snap.refs).toContain(`${got.tip} refs/heads/from-shallow`);
      expect(got).toEqual(await oracle.run(`push from shallow v${v}`, run));
    });
  });

  test("push into a repo from a shallow clone that lacks the server's newer history is still fast-forward checked", async () => {
    const repo = "shallow-nonff";
    await seed(srv, repo, source.client);
    const dir = sb.path("shallow-nonff");
    await sb.ok(["clone", "-q", "--depth", "1", srv.url(repo), dir]);
    const g = sb.client(dir);
    const other = sb.client(sb.path("nonff-other"));
    await sb.ok(["clone", "-q", srv.url(repo), other.dir]);
    await other.commit("moved on", { "moved.txt": "m\n" }, 900);
    await other.ok(["push", "-q", "origin", "main"]);
    await g.commit("diverged", { "div.txt": "d\n" }, 901);
    const r = await g.run(["push", "origin", "main"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\[rejected\]|fetch first|non-fast-forward/);
    expect((await sb.ok(["ls-remote", srv.url(repo), "refs/heads/main"])).split("\t")[0]).toBe(await other.line(["rev-parse", "HEAD"]));
  });
});
