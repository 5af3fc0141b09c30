/**
 * End to end: the example under `artifacts-emulator dev` (the real wrangler dev on Node 22), its HTTP
 * routes, and the real git client pushing to and cloning from the remote and token it hands out.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort, git, spawnDev, type DevProcess } from "artifacts-emulator/testing/node";

const here = dirname(fileURLToPath(import.meta.url));
const exampleDir = resolve(here, "../..");
const cli = join(dirname(createRequire(import.meta.url).resolve("artifacts-emulator/package.json")), "bin", "artifacts-emulator.mjs");
// The wrangler CLI needs Node >= 22.12: this repository's setup installs one (a user runs their own).
const repoNode = resolve(exampleDir, "../../.tools/node22/bin/node");
const node = existsSync(repoNode) ? repoNode : process.execPath;

let dev: DevProcess;
let tmp: string;

interface Session {
  id: string;
  remote: string;
  token: string;
  access: string;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${dev.origin}${path}`, {
    method,
    ...(body !== undefined ? { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "agent-workspace-e2e-"));
  const port = await freeLoopbackPort();
  dev = await spawnDev({ cli, node, cwd: exampleDir, args: ["--port", String(port), "--persist-to", join(tmp, "state")] });
  console.log(`artifacts-emulator dev ready in ${dev.startupMs} ms at ${dev.origin}`);
});

afterAll(async () => {
  await dev?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("agent-workspace under artifacts-emulator dev", () => {
  it("prints the remote prefix once and never a token", () => {
    const out = dev.output();
    expect(out).toContain(`Git remotes at ${dev.origin}/git/agent-workspaces/<repo>.git`);
    expect(out).not.toMatch(/art_v\d_/);
    expect(out).not.toMatch(/adm_[0-9a-f]{8}/);
  });

  it("an agent pushes its work with git; the Worker reads it back; a fork is cloned read-only", async () => {
    const created = await call<Session>("POST", "/sessions", { agent: "e2e" });
    expect(created.status).toBe(201);
    const s = created.body;
    expect(s.remote).toBe(`${dev.origin}/git/agent-workspaces/session-${s.id}.git`);

    // The agent: clone the empty repo, commit, push with the short-lived write token.
    const work = join(tmp, "work");
    expect((await git(["clone", "-q", s.remote, work], { token: s.token })).code).toBe(0);
    await mkdir(join(work, "notes"), { recursive: true });
    await writeFile(join(work, "README.md"), "# Session\n");
    await writeFile(join(work, "notes", "step1.md"), "looked around\n");
    await git(["add", "."], { cwd: work });
    await git(["commit", "-qm", "First step"], { cwd: work });
    const push = await git(["push", "-q", "origin", "main"], { cwd: work, token: s.token });
    expect(push.stderr).toBe("");
    expect(push.code).toBe(0);

    // Without the token the remote refuses (401 → git cannot prompt).
    expect((await git(["ls-remote", s.remote])).code).not.toBe(0);

    const file = await fetch(`${dev.origin}/sessions/${s.id}/files/notes/step1.md`);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe("looked around\n");
    const log = await call<{ commits: Array<{ message: string; author: string }> }>("GET", `/sessions/${s.id}/log`);
    expect(log.body.commits).toMatchObject([{ message: "First step", author: "Agent" }]);

    // Fork for a second agent, handing it a read token only: clone works, push is refused.
    const fork = await call<Session>("POST", `/sessions/${s.id}/fork`, { agent: "reviewer", access: "read" });
    expect(fork.status).toBe(201);
    expect(fork.body.access).toBe("read");
    const copy = join(tmp, "fork");
    expect((await git(["clone", "-q", fork.body.remote, copy], { token: fork.body.token })).code).toBe(0);
    expect(await readFile(join(copy, "README.md"), "utf8")).toBe("# Session\n");
    await writeFile(join(copy, "README.md"), "# changed\n");
    await git(["commit", "-qam", "Try to write"], { cwd: copy });
    const denied = await git(["push", "-q", "origin", "main"], { cwd: copy, token: fork.body.token });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/403|write scope/);

    // A fresh write token for the fork, then the push goes through.
    const w = await call<{ token: string }>("POST", `/sessions/${fork.body.id}/tokens`, { access: "write", ttl: 300 });
    expect((await git(["push", "-q", "origin", "main"], { cwd: copy, token: w.body.token })).code).toBe(0);
    expect(await (await fetch(`${dev.origin}/sessions/${fork.body.id}/files/README.md`)).text()).toBe("# changed\n");
    expect(await (await fetch(`${dev.origin}/sessions/${s.id}/files/README.md`)).text()).toBe("# Session\n");

    // Delete: the remote is gone too.
    expect((await call<{ deleted: boolean }>("DELETE", `/sessions/${s.id}`)).body.deleted).toBe(true);
    const gone = await git(["ls-remote", s.remote], { token: s.token });
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/not found|404/i);
  });
});
