/**
 * End to end: the example under `artifacts-emulator dev --artifacts-webhook /webhooks/artifacts` (the
 * real wrangler dev on Node 22): an agent pushes with the real git client, the emulator posts the
 * cf.artifacts.repo.pushed event to the Worker, the Worker reviews the push and renders the snapshot.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort, git, spawnDev, type DevProcess } from "artifacts-emulator/testing/node";

// The Worker's response shapes (src/ is typed for workerd, this test for Node).
interface Review {
  before: string;
  after: string;
  changes: Array<{ path: string; status: string }>;
  commits: Array<{ message: string }>;
}
interface Snapshot {
  history: Array<{ hash: string }>;
  files: Array<{ path: string; content?: string }>;
}

const here = dirname(fileURLToPath(import.meta.url));
const exampleDir = resolve(here, "../..");
const require = createRequire(import.meta.url);
const cli = join(dirname(require.resolve("artifacts-emulator/package.json")), "bin", "artifacts-emulator.mjs");
// The wrangler CLI needs Node >= 22.12: this repository's setup installs one (a user runs their own).
const repoNode = resolve(exampleDir, "../../.tools/node22/bin/node");
const node = existsSync(repoNode) ? repoNode : process.execPath;

let dev: DevProcess;
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "snapshot-review-e2e-"));
  const port = await freeLoopbackPort();
  dev = await spawnDev({
    cli,
    node,
    cwd: exampleDir,
    args: ["--port", String(port), "--persist-to", join(tmp, "state"), "--artifacts-webhook", "/webhooks/artifacts"],
  });
  console.log(`artifacts-emulator dev ready in ${dev.startupMs} ms at ${dev.origin}`);
});

afterAll(async () => {
  await dev?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function waitForReview(name: string, commit: string): Promise<Review> {
  for (let i = 0; i < 100; i++) {
    const { reviews } = (await (await fetch(`${dev.origin}/repos/${name}/reviews`)).json()) as { reviews: Review[] };
    const r = reviews.find((x) => x.after === commit);
    if (r) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no review of ${commit} for ${name}:\n${dev.output().slice(-2000)}`);
}

describe("snapshot-review under artifacts-emulator dev", () => {
  it("reviews pushes made with the real git client, from the emulator's webhook events", async () => {
    const res = await fetch(`${dev.origin}/repos`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "agent-run-1" }),
    });
    expect(res.status).toBe(201);
    const repo = (await res.json()) as { name: string; remote: string; token: string };
    expect(repo.remote).toBe(`${dev.origin}/git/agent-snapshots/agent-run-1.git`);

    const work = join(tmp, "work");
    expect((await git(["init", "-q", work])).code).toBe(0);
    await mkdir(join(work, "src"), { recursive: true });
    await writeFile(join(work, "README.md"), "# Run 1\n");
    await writeFile(join(work, "src", "plan.md"), "- step <one>\n");
    await git(["add", "."], { cwd: work });
    await git(["commit", "-qm", "Agent: first pass"], { cwd: work });
    const push1 = await git(["push", "-q", repo.remote, "main"], { cwd: work, token: repo.token });
    expect(push1.code, push1.stderr).toBe(0);
    const head1 = (await git(["rev-parse", "HEAD"], { cwd: work })).stdout.trim();
    const review1 = await waitForReview(repo.name, head1);
    expect(review1.changes).toEqual([
      { path: "README.md", status: "added" },
      { path: "src/plan.md", status: "added" },
    ]);

    await writeFile(join(work, "src", "plan.md"), "- step <one>\n- step two\n");
    await git(["commit", "-qam", "Agent: second pass"], { cwd: work });
    expect((await git(["push", "-q", repo.remote, "main"], { cwd: work, token: repo.token })).code).toBe(0);
    const head2 = (await git(["rev-parse", "HEAD"], { cwd: work })).stdout.trim();
    const review2 = await waitForReview(repo.name, head2);
    expect(review2).toMatchObject({
      before: head1,
      after: head2,
      changes: [{ path: "src/plan.md", status: "modified" }],
      commits: [{ message: "Agent: second pass" }],
    });

    const snap = (await (await fetch(`${dev.origin}/repos/${repo.name}/snapshot?format=json`)).json()) as Snapshot;
    expect(snap.history.map((c) => c.hash)).toEqual([head2, head1]);
    expect(snap.files.find((f) => f.path === "src/plan.md")?.content).toBe("- step <one>\n- step two\n");
    const html = await (await fetch(`${dev.origin}/repos/${repo.name}/snapshot`)).text();
    expect(html).toContain("- step &lt;one&gt;");

    // What the reviewer sees is what git has: clone and compare.
    const copy = join(tmp, "copy");
    expect((await git(["clone", "-q", repo.remote, copy], { token: repo.token })).code).toBe(0);
    expect(await readFile(join(copy, "src", "plan.md"), "utf8")).toBe("- step <one>\n- step two\n");

    const { events } = (await (await fetch(`${dev.origin}/events`)).json()) as { events: Array<{ type: string }> };
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(["cf.artifacts.repo.created", "cf.artifacts.repo.pushed", "cf.artifacts.repo.cloned"]));
    expect(dev.output()).not.toMatch(/art_v\d_/);
  });

  it("leaves the user's config alone: `wrangler types` still types the binding as Artifacts", async () => {
    const node22 = process.env.ARTIFACTS_EMULATOR_NODE22 ?? resolve(exampleDir, "../../.tools/node22/bin/node");
    const wrangler = join(dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");
    const out = join(tmp, "worker-configuration.d.ts");
    await promisify(execFile)(node22, [wrangler, "types", out, "--include-runtime=false"], {
      cwd: exampleDir,
      env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" },
    });
    const types = await readFile(out, "utf8");
    expect(types).toMatch(/ARTIFACTS: Artifacts;/);
    expect(types).not.toMatch(/ARTIFACTS_EMULATOR_HTTP/);
  });
});
