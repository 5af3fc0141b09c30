// Crash safety (issue 14): `kill -9` of the service's whole process tree (Node and workerd) in the
// middle of large pushes and of a burst of creates, then a restart on the same state. Afterwards
// every ref is old or new, the repository is `git fsck` clean, no push left its quarantine behind,
// a retried push works, and no name is stuck half-created: each is either there or free.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitSandbox, fsck } from "@artifacts-emulator/git/testing/git";
import { startChild, type ChildService } from "../support/child.js";
import { bearerArgs, call, expectFail, expectOk, startRest, type RestService } from "../rest/support.js";

let sb: GitSandbox;
const dirs: string[] = [];
const open: Array<{ stop(): Promise<void> } | { close(): Promise<void> }> = [];

beforeAll(async () => {
  sb = await GitSandbox.create("crash-");
});
afterAll(async () => {
  for (const o of open) await ("stop" in o ? o.stop() : o.close()).catch(() => {});
  await sb?.dispose();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function stateDir() {
  const d = await mkdtemp(join(tmpdir(), "crash-state-"));
  dirs.push(d);
  return d;
}

async function child(dir: string) {
  const c = await startChild(dir, { ALLOW_HTTP_IMPORT: "1" });
  open.push(c);
  return c;
}

/** The restarted service in this process, so Durable Objects can be asked directly. */
async function inProcess(dir: string) {
  const s = await startRest({ persistTo: dir, vars: { ALLOW_HTTP_IMPORT: "1" } });
  open.push(s);
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function quarantines(s: RestService, ns: string, id: string): Promise<number> {
  const repos = await s.mf.getDurableObjectNamespace("REPO", "artifacts");
  const stub = repos.get(repos.idFromName(`${ns}/${id}`)) as unknown as { storageReport(): Promise<{ quarantines: number }> };
  return (await stub.storageReport()).quarantines;
}

async function lsRemote(remote: string, token: string): Promise<Map<string, string>> {
  const out = await sb.ok([...bearerArgs(token), "ls-remote", remote]);
  return new Map(
    out
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t").reverse() as [string, string]),
  );
}

describe("kill -9", () => {
  test("during large pushes: refs old or new, fsck clean, no quarantine left, a retried push works", async () => {
    const dir = await stateDir();
    let svc: ChildService = await child(dir);
    const repo = expectOk<{ id: string; remote: string; token: string }>(
      await call(`${svc.base}/namespaces/crash/repos`, { method: "POST", body: { name: "big" } }),
      201,
    );
    const path = (url: string) => url.replace(/^https?:\/\/[^/]+/, "");
    const remote = () => `${svc.url}${path(repo.remote)}`;

    const src = sb.path("src");
    await sb.ok(["init", "-q", "-b", "main", src]);
    const g = sb.client(src);
    const base = await g.commit("base", { "README.md": "base\n" }, 1);
    await sb.ok([...bearerArgs(repo.token), "push", "-q", remote(), "main"], { cwd: src });

    // One branch per kill point, each with its own 12 MiB of incompressible data.
    const rounds = [150, 700, 1800];
    const tips: string[] = [];
    for (let i = 0; i < rounds.length; i++) {
      await sb.ok(["checkout", "-q", "-b", `r${i}`, "main"], { cwd: src });
      for (let f = 0; f < 3; f++) await writeFile(g.path(`blob-${i}-${f}.bin`), randomBytes(4 * 1024 * 1024));
      tips.push(await g.commit(`round ${i}`, {}, 2 + i));
    }

    for (let i = 0; i < rounds.length; i++) {
      const push = sb.run([...bearerArgs(repo.token), "push", "-q", remote(), `r${i}`], { cwd: src });
      await sleep(rounds[i]!);
      await svc.kill9();
      await push;
      svc = await child(dir);
      const refs = await lsRemote(remote(), repo.token);
      expect(refs.get("refs/heads/main")).toBe(base);
      // The branch is either absent (old) or at its pushed tip (new); never anything else.
      expect([undefined, tips[i]]).toContain(refs.get(`refs/heads/r${i}`));
    }
    await svc.stop();

    // Restarted in this process: the repository is sound and holds no half-received push.
    const s = await inProcess(dir);
    const r = `${s.url}${path(repo.remote)}`;
    const clone = sb.path("clone");
    await sb.ok([...bearerArgs(repo.token), "clone", "-q", "--mirror", r, clone]);
    const check = await fsck(sb.client(clone));
    expect(check.code, check.stderr).toBe(0);
    expect(await quarantines(s, "crash", repo.id)).toBe(0);

    // A retried push of every round goes through, and the result is still sound.
    await sb.ok([...bearerArgs(repo.token), "push", "-q", r, ...rounds.map((_, i) => `r${i}`)], { cwd: src });
    const refs = await lsRemote(r, repo.token);
    rounds.forEach((_, i) => expect(refs.get(`refs/heads/r${i}`)).toBe(tips[i]));
    const again = sb.path("clone2");
    await sb.ok([...bearerArgs(repo.token), "clone", "-q", "--mirror", r, again]);
    expect((await fsck(sb.client(again))).code).toBe(0);
    expect(await quarantines(s, "crash", repo.id)).toBe(0);
  });

  test("during a burst of creates and an import: after a restart no name is stuck", async () => {
    // An upstream that accepts the import's first request and never answers: the import is
    // certainly half-done (name reserved, repo object initialised) when the service is killed.
    let reached!: () => void;
    const upstreamReached = new Promise<void>((r) => (reached = r));
    const upstream: Server = createServer(() => reached());
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
    open.push({ close: () => new Promise<void>((r) => (upstream.closeAllConnections(), upstream.close(() => r()))) });
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}/never.git`;

    const dir = await stateDir();
    let svc = await child(dir);
    /** After a restart: every name is either there (a second create is 409) or free (it is 201). */
    const noneStuck = async (base: string, ns: string, names: string[]) => {
      for (const name of names) {
        const got = await call(`${base}/namespaces/${ns}/repos/${name}`);
        expect([200, 404], `${name}: ${got.text}`).toContain(got.status);
        const again = await call(`${base}/namespaces/${ns}/repos`, { method: "POST", body: { name } });
        if (got.status === 200) expectFail(again, 409);
        else expectOk(again, 201);
      }
      const listed = expectOk<unknown[]>(await call(`${base}/namespaces/${ns}/repos?per_page=100`));
      expect(listed.length).toBe(names.length);
    };

    // Point 1: while an import is certainly half-done, with creates in flight around it.
    const names = Array.from({ length: 8 }, (_, i) => `burst-${i}`);
    const calls = [
      ...names.map((name) => call(`${svc.base}/namespaces/burst/repos`, { method: "POST", body: { name } }).catch(() => null)),
      call(`${svc.base}/namespaces/burst/repos/stuck-import/import`, { method: "POST", body: { url: upstreamUrl } }).catch(() => null),
    ];
    await upstreamReached;
    await svc.kill9();
    await Promise.all(calls);
    svc = await child(dir);
    await noneStuck(svc.base, "burst", [...names, "stuck-import"]);

    // Points 2 and 3: a few milliseconds into bursts of 12 creates.
    for (const [round, delay] of [5, 60].entries()) {
      const more = Array.from({ length: 12 }, (_, i) => `wave${round}-${i}`);
      const inflight = more.map((name) => call(`${svc.base}/namespaces/wave${round}/repos`, { method: "POST", body: { name } }).catch(() => null));
      await sleep(delay);
      await svc.kill9();
      await Promise.all(inflight);
      svc = await child(dir);
      await noneStuck(svc.base, `wave${round}`, more);
    }
    await svc.stop();
  });
});
