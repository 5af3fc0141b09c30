// The contract's limits, enforced in our code because local workerd enforces none of them
// (docs/contract.md "Git request checks", "Limits"; docs/architecture.md): repository size at push, import and fork; the Git
// request body; the largest object a push may bring; request rates per namespace. Each with the
// contract's error and, for Git, a refusal the real git CLI shows.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { bearerArgs, call, createRepo, expectFail, expectOk, repoUrl, startRest, type RestService } from "../rest/support.js";

let sb: GitSandbox;
let persist: string;
const open: RestService[] = [];

beforeAll(async () => {
  sb = await GitSandbox.create("limits-");
  persist = await mkdtemp(join(tmpdir(), "limits-persist-"));
});
afterAll(async () => {
  for (const s of open) await s.close().catch(() => {});
  await sb?.dispose();
  await rm(persist, { recursive: true, force: true });
});

async function start(vars: Record<string, string>, persistTo?: string) {
  const s = await startRest({ vars: { ALLOW_HTTP_IMPORT: "1", ...vars }, ...(persistTo ? { persistTo } : {}) });
  open.push(s);
  return s;
}
async function stop(s: RestService) {
  open.splice(open.indexOf(s), 1);
  await s.close();
}

/** A repo with one commit per entry of `sizes` (bytes of random, incompressible data each). */
async function source(name: string, sizes: number[]) {
  const dir = sb.path(name);
  await sb.ok(["init", "-q", dir]);
  const c = sb.client(dir);
  const tips: string[] = [];
  for (const [i, n] of sizes.entries()) tips.push(await c.commit(`part ${i}`, { [`f${i}.bin`]: randomBytes(n) }, i + 1));
  return { dir, tips };
}

const refsOf = async (remote: string, token: string) => (await sb.ok([...bearerArgs(token), "ls-remote", remote])).trim();

describe("repository size (docs/contract.md 'Limits'; MAX_REPO_BYTES)", () => {
  test("a push that would take the repo over the limit is refused as a git unpack error and changes nothing; import and fork are MEMORY_LIMIT (10402)", async () => {
    const svc = await start({ MAX_REPO_BYTES: "300000" });
    const ns = "size";
    const repo = await createRepo(svc, ns, "r");
    const { dir, tips } = await source("size-src", [120_000, 250_000]);
    // The first commit fits.
    await sb.ok([...bearerArgs(repo.token), "push", "-q", repo.remote, `${tips[0]}:refs/heads/main`], { cwd: dir });
    const stats = expectOk<{ bytes: number }>(await call(`${repoUrl(svc, ns, "r")}/stats`));
    expect(stats.bytes).toBeGreaterThan(120_000);
    // The second would make it ~370 KB: refused, and the client is told why.
    const over = await sb.run([...bearerArgs(repo.token), "push", repo.remote, "main"], { cwd: dir });
    expect(over.code).not.toBe(0);
    expect(over.stderr).toMatch(/unpack failed: repository size limit exceeded: the repository would hold more than 300000 bytes/);
    expect(over.stderr).toMatch(/\[remote rejected\] main -> main \(unpacker error\)/);
    expect(await refsOf(repo.remote, repo.token)).toBe(`${tips[0]}\tHEAD\n${tips[0]}\trefs/heads/main`);
    expect(expectOk<{ bytes: number }>(await call(`${repoUrl(svc, ns, "r")}/stats`)).bytes).toBe(stats.bytes);

    // Import of a remote larger than the limit: MEMORY_LIMIT, and nothing is left behind.
    const up = await start({}); // an unlimited service to hold the upstream
    const upstream = await createRepo(up, "u", "upstream");
    await sb.ok([...bearerArgs(upstream.token), "push", "-q", upstream.remote, "main"], { cwd: dir });
    const withCreds = upstream.remote.replace("http://", `http://x:${upstream.token.split("?")[0]}@`);
    const e = expectFail(await call(`${repoUrl(svc, ns, "imported")}/import`, { method: "POST", body: { url: withCreds } }), 413, 10402);
    expect(e.message).toMatch(/repository size limit exceeded/);
    expectFail(await call(repoUrl(svc, ns, "imported")), 404, 10200);
  });

  test("a fork of a repo that grew under a larger limit is MEMORY_LIMIT once the limit is lower; the fork leaves nothing", async () => {
    const dir = await mkdtemp(join(persist, "fork-"));
    let svc = await start({ MAX_REPO_BYTES: "1000000" }, dir);
    const repo = await createRepo(svc, "fk", "big");
    const { dir: src } = await source("fork-src", [200_000, 200_000]);
    await sb.ok([...bearerArgs(repo.token), "push", "-q", repo.remote, "main"], { cwd: src });
    await stop(svc);
    // The operator lowers the limit (or: a repo from the 10 GB era is forked into a 1 GB one).
    svc = await start({ MAX_REPO_BYTES: "300000" }, dir);
    const e = expectFail(await call(`${repoUrl(svc, "fk", "big")}/fork`, { method: "POST", body: { name: "copy" } }), 413, 10402);
    expect(e.message).toMatch(/^The repository is too large: repository size limit exceeded/);
    expectFail(await call(repoUrl(svc, "fk", "copy")), 404, 10200);
    // The existing repo still serves clones; a further push is refused.
    const remote = repo.remote.replace(/^http:\/\/[^/]+/, svc.url);
    const clone = sb.path("fork-clone");
    await sb.ok([...bearerArgs(repo.token), "clone", "-q", remote, clone]);
    await sb.client(clone).commit("more", { "g.bin": randomBytes(10_000) }, 9);
    const more = await sb.run([...bearerArgs(repo.token), "push", remote, "main"], { cwd: clone });
    expect(more.stderr).toMatch(/repository size limit exceeded/);
  });
});

describe("Git request body (MAX_GIT_BODY_BYTES) and the largest object (MAX_PUSH_OBJECT_BYTES, docs/contract.md 'Git request checks')", () => {
  let svc: RestService;
  beforeAll(async () => {
    svc = await start({ MAX_GIT_BODY_BYTES: "400000", MAX_PUSH_OBJECT_BYTES: "150000" });
  });

  test("a body over the limit is 413 'Request body too large' when its length is declared, and an unpack error when it is streamed", async () => {
    const repo = await createRepo(svc, "body", "r");
    const { dir } = await source("body-src", [140_000, 140_000, 140_000, 140_000]);
    // Under git's postBuffer the body goes with Content-Length: refused before it is read.
    const declared = await sb.run([...bearerArgs(repo.token), "push", repo.remote, "main"], { cwd: dir });
    expect(declared.code).not.toBe(0);
    expect(declared.stderr).toMatch(/RPC failed; HTTP 413/);
    // With a small postBuffer git streams it (chunked): the engine counts and refuses it.
    const chunked = await sb.run([...bearerArgs(repo.token), "-c", "http.postBuffer=65536", "push", repo.remote, "main"], { cwd: dir });
    expect(chunked.code).not.toBe(0);
    expect(chunked.stderr).toMatch(/remote unpack failed: request body is larger than the limit of 400000 bytes/);
    expect(chunked.stderr).toMatch(/\[remote rejected\] main -> main \(unpacker error\)/);
    expect(await refsOf(repo.remote, repo.token)).toBe("");
    const direct = await fetch(`${repo.remote}/git-receive-pack`, {
      method: "POST",
      headers: { Authorization: `Bearer ${repo.token}`, "Content-Type": "application/x-git-receive-pack-request" },
      body: new Uint8Array(500_000),
    });
    expect(direct.status).toBe(413);
    expect(await direct.text()).toBe("Request body too large\n");
  });

  test("an object over the limit is refused with the reason; smaller ones are accepted", async () => {
    const repo = await createRepo(svc, "obj", "r");
    const { dir, tips } = await source("obj-src", [100_000, 160_000]);
    await sb.ok([...bearerArgs(repo.token), "push", "-q", repo.remote, `${tips[0]}:refs/heads/main`], { cwd: dir });
    const r = await sb.run([...bearerArgs(repo.token), "push", repo.remote, "main"], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/unpack failed: .*(over the limit of 150000|larger than 150000 bytes are not accepted)/);
    expect(await refsOf(repo.remote, repo.token)).toBe(`${tips[0]}\tHEAD\n${tips[0]}\trefs/heads/main`);
  });
});

/**
 * The request after a full budget, allowing the one extra request the sliding window lets through
 * when the budget straddled a window boundary (the previous window's count is weighted by how much
 * of it still overlaps, so it has decayed a little by then). The request after that is always over.
 */
async function overTheRate<R>(send: () => Promise<R>, status: (r: R) => number, discard?: (r: R) => unknown): Promise<R> {
  const first = await send();
  if (status(first) === 429) return first;
  expect(status(first)).toBe(200);
  await discard?.(first);
  return send();
}

describe("request rates per namespace (docs/contract.md 'Limits'; RATE_LIMIT_API, RATE_LIMIT_GIT)", () => {
  test("REST: over the rate is 429 with Cloudflare's v4 error 971 and Retry-After; other namespaces are not affected", async () => {
    const svc = await start({ RATE_LIMIT_API: "5/60" });
    const list = (ns: string) => call(repoUrl(svc, ns));
    for (let i = 0; i < 5; i++) expectOk(await list("busy"));
    const r = await overTheRate(
      () => list("busy"),
      (x) => x.status,
    );
    expectFail(r, 429, 971);
    expect(r.body.errors[0]!.message).toBe("Please wait and consider throttling your request speed");
    expect(Number(r.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expectOk(await list("quiet"));
    // Account-level routes have no namespace to count against.
    expectOk(await call(`${svc.base}/namespaces`));
  });

  test("Git: over the rate is a plain 429 that git reports", async () => {
    const svc = await start({ RATE_LIMIT_GIT: "3/60" });
    const repo = await createRepo(svc, "g", "r");
    const refs = `${repo.remote}/info/refs?service=git-upload-pack`;
    const get = () => fetch(refs, { headers: { Authorization: `Bearer ${repo.token}` } });
    for (let i = 0; i < 3; i++) {
      const res = await get();
      expect(res.status).toBe(200);
      await res.body?.cancel();
    }
    const res = await overTheRate(
      get,
      (x) => x.status,
      (x) => x.body?.cancel(),
    );
    expect(res.status).toBe(429);
    expect(res.headers.get("Content-Type")).toMatch(/^text\/plain/);
    expect(Number(res.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(await res.text()).toMatch(/^Too many requests/);
    const git = await sb.run([...bearerArgs(repo.token), "ls-remote", repo.remote]);
    expect(git.code).not.toBe(0);
    expect(git.stderr).toMatch(/429/);
    // REST is a separate budget, off here.
    expectOk(await call(repoUrl(svc, "g", "r")));
  });

  test('"off" turns a limit off', async () => {
    const svc = await start({ RATE_LIMIT_API: "off", RATE_LIMIT_GIT: "0" });
    const rs = await Promise.all(Array.from({ length: 60 }, () => call(repoUrl(svc, "burst"))));
    for (const r of rs) expectOk(r);
  });
});
