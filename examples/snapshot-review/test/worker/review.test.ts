import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { pushFiles } from "artifacts-emulator/testing";
import type { Review } from "../../src/index.js";
import type { Snapshot } from "../../src/render.js";

const base = "https://review.example";
let n = 0;
const unique = (p: string) => `${p}-${Date.now().toString(36)}-${n++}`;

async function newRepo(name: string): Promise<{ name: string; remote: string; token: string }> {
  const res = await SELF.fetch(`${base}/repos`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name }) });
  expect(res.status).toBe(201);
  return res.json();
}

const push = (r: { remote: string; token: string }, message: string, files: Record<string, string>) =>
  pushFiles({ remote: r.remote, token: r.token, fetcher: env.ARTIFACTS_EMULATOR_HTTP, message, files });

async function reviews(name: string): Promise<Review[]> {
  // Events are delivered by the service as the push completes; allow for scheduling (up to 10 s on a loaded CI machine).
  for (let i = 0; i < 200; i++) {
    const body = (await (await SELF.fetch(`${base}/repos/${name}/reviews`)).json()) as { reviews: Review[] };
    if (body.reviews.length) return body.reviews;
    await new Promise((r) => setTimeout(r, 50));
  }
  return [];
}

describe("snapshot", () => {
  it("renders the tree, history and text files at a ref (JSON)", async () => {
    const r = await newRepo(unique("snap"));
    await push(r, "Scaffold", { "README.md": "# Agent output\n", "src/app.ts": "export const x = 1;\n" });
    const second = await push(r, "Add docs", {
      "README.md": "# Agent output\n",
      "src/app.ts": "export const x = 1;\n",
      "docs/guide/intro.md": "Hello\n",
      "logo.png": "\x89PNG\r\n",
    });

    const snap = (await (await SELF.fetch(`${base}/repos/${r.name}/snapshot?format=json`)).json()) as Snapshot;
    expect(snap.head?.hash).toBe(second.commit);
    expect(snap.history.map((c) => c.message)).toEqual(["Add docs", "Scaffold"]);
    expect(snap.files.map((f) => f.path)).toEqual(["README.md", "docs/guide/intro.md", "logo.png", "src/app.ts"]);
    expect(snap.files.find((f) => f.path === "docs/guide/intro.md")?.content).toBe("Hello\n");
    expect(snap.files.find((f) => f.path === "logo.png")?.content).toBeUndefined(); // image/png: listed, not inlined

    const old = (await (await SELF.fetch(`${base}/repos/${r.name}/snapshot?format=json&ref=${second.parent}`)).json()) as Snapshot;
    expect(old.files.map((f) => f.path)).toEqual(["README.md", "src/app.ts"]);
  });

  it("renders HTML with every value escaped", async () => {
    const r = await newRepo(unique("html"));
    await push(r, "<b>bold</b> claim", { "x.html": "<script>alert(1)</script>\n" });
    const res = await SELF.fetch(`${base}/repos/${r.name}/snapshot`);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;b&gt;bold&lt;/b&gt; claim");
    expect(html).not.toContain("<script>");
  });

  it("answers 404 for unknown repos, and an empty snapshot before the first push", async () => {
    expect((await SELF.fetch(`${base}/repos/${unique("nope")}/snapshot`)).status).toBe(404);
    const r = await newRepo(unique("empty"));
    const snap = (await (await SELF.fetch(`${base}/repos/${r.name}/snapshot?format=json`)).json()) as Snapshot;
    expect(snap.head).toBeNull();
    expect(snap.files).toEqual([]);
  });
});

describe("events", () => {
  it("reviews every push from the emulator's cf.artifacts.repo.pushed events", async () => {
    const r = await newRepo(unique("events"));
    const first = await push(r, "One", { "a.txt": "a\n", "dir/b.txt": "b\n" });
    const [r1] = await reviews(r.name);
    expect(r1).toMatchObject({ repo: r.name, ref: "refs/heads/main", after: first.commit, head: { message: "One", author: "Test Agent" } });
    expect(r1!.changes).toEqual([
      { path: "a.txt", status: "added" },
      { path: "dir/b.txt", status: "added" },
    ]);

    const second = await push(r, "Two", { "a.txt": "A\n", "c.txt": "c\n" });
    let latest: Review | undefined;
    for (let i = 0; i < 50 && latest?.after !== second.commit; i++) [latest] = await reviews(r.name);
    expect(latest!.before).toBe(first.commit);
    expect(latest!.commits.map((c) => c.message)).toEqual(["Two"]);
    expect(latest!.changes).toEqual([
      { path: "a.txt", status: "modified" },
      { path: "c.txt", status: "added" },
      { path: "dir/b.txt", status: "deleted" },
    ]);

    const events = (await (await SELF.fetch(`${base}/events`)).json()) as { events: Array<{ type: string; repo: string }> };
    const mine = events.events.filter((e) => e.repo === r.name).map((e) => e.type);
    expect(mine).toContain("cf.artifacts.repo.created");
    expect(mine.filter((t) => t === "cf.artifacts.repo.pushed")).toHaveLength(2);
  });

  it("forgets a repo's reviews when it is deleted, and ignores other namespaces", async () => {
    const r = await newRepo(unique("gone"));
    await push(r, "One", { "a.txt": "a\n" });
    expect(await reviews(r.name)).toHaveLength(1);
    expect(await env.ARTIFACTS.delete(r.name)).toBe(true);
    let left = 1;
    for (let i = 0; i < 200 && left; i++) {
      left = ((await (await SELF.fetch(`${base}/repos/${r.name}/reviews`)).json()) as { reviews: unknown[] }).reviews.length;
      if (left) await new Promise((res) => setTimeout(res, 50));
    }
    expect(left).toBe(0);

    const foreign = await SELF.fetch(`${base}/webhooks/artifacts`, {
      method: "POST",
      body: JSON.stringify({
        type: "cf.artifacts.repo.pushed",
        source: { type: "artifacts.repo", namespace: "someone-else", repoName: "x" },
        payload: {},
        metadata: {},
      }),
    });
    expect(foreign.status).toBe(202);
    expect(await foreign.json()).toMatchObject({ ignored: true });
    expect((await SELF.fetch(`${base}/webhooks/artifacts`, { method: "POST", body: "{}" })).status).toBe(400);
  });
});
