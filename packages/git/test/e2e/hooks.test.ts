/**
 * The engine reports what it served, for the caller's events: `onFetch` once an upload-pack
 * response (v0 and v2) has been written, with the request's wants, haves and shallows and whether
 * a pack went out; `afterPush` once the report-status has been written.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GitSandbox } from "../support/git";
import { startDevServer, type DevServer } from "../../node/server";
import type { FetchServed, PushOutcome } from "../../src/index";

let sb: GitSandbox;
let dev: DevServer;
const fetches: FetchServed[] = [];
const pushes: PushOutcome[] = [];

beforeAll(async () => {
  sb = await GitSandbox.create("git-hooks-");
  dev = await startDevServer({ host: "127.0.0.1", port: 0, git: { onFetch: (s) => void fetches.push(s), afterPush: (o) => void pushes.push(o) } });
});
afterAll(async () => {
  await dev?.close();
  await sb?.dispose();
});

const url = (repo: string) => `${dev.url.replace(/\/+$/, "")}/${repo}.git`;

describe.each(["0", "2"])("protocol v%s", (version) => {
  test("clone, fetch up to date, fetch with history, shallow clone", async () => {
    const repo = `hooks-v${version}`;
    await fetch(url(repo), { method: "PUT" }).then((r) => r.arrayBuffer());
    const proto = ["-c", `protocol.version=${version}`];
    const src = sb.path(`src-${version}`);
    await sb.ok(["init", "-q", "-b", "main", src]);
    const g = sb.client(src);
    const c1 = await g.commit("one", { "a.txt": "1\n" }, 1);
    const c2 = await g.commit("two", { "a.txt": "2\n" }, 2);
    pushes.length = 0;
    await g.ok([...proto, "push", "-q", url(repo), "main"]);
    expect(pushes).toEqual([{ updated: [{ name: "refs/heads/main", old: "0".repeat(40), new: c2 }], rejected: [], objects: 6 }]);

    fetches.length = 0;
    const dst = sb.path(`clone-${version}`);
    await sb.ok([...proto, "clone", "-q", url(repo), dst]);
    // git v2 may want the same tip twice (HEAD and main): the report is the request as sent.
    const packs = () => fetches.filter((f) => f.packSent).map((f) => ({ ...f, wants: [...new Set(f.wants)] }));
    expect(packs()).toEqual([{ wants: [c2], haves: [], shallow: [], packSent: true }]);

    fetches.length = 0;
    await sb.ok([...proto, "fetch", "-q", url(repo)], { cwd: dst });
    expect(packs()).toEqual([]);

    const c3 = await g.commit("three", { "a.txt": "3\n" }, 3);
    await g.ok([...proto, "push", "-q", url(repo), "main"]);
    fetches.length = 0;
    await sb.ok([...proto, "fetch", "-q", url(repo), "main"], { cwd: dst });
    expect(packs()).toHaveLength(1);
    expect(packs()[0]).toMatchObject({ wants: [c3], shallow: [], packSent: true });
    expect(packs()[0]!.haves).toContain(c2);

    fetches.length = 0;
    await sb.ok([...proto, "clone", "-q", "--depth=1", url(repo), sb.path(`shallow-${version}`)]);
    expect(packs()).toEqual([expect.objectContaining({ wants: [c3], haves: [], depth: 1, packSent: true })]);
    expect(c1).toMatch(/^[0-9a-f]{40}$/);
  });
});
