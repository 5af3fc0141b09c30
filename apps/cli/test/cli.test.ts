// The artifacts-emulator CLI as users run it: a real process, real workerd, the real git client.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "../dist/cli.mjs");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(opts.input ?? "");
  });
}

/** Start `artifacts-emulator start` and wait for its JSON ready line. */
function start(persist: string, extra: string[] = []): Promise<{ proc: ChildProcess; url: string; log: () => string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, "start", "--format", "json", "--persist-to", persist, ...extra], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout!.on("data", (d) => {
      out += d;
      try {
        const info = JSON.parse(out) as { url: string };
        resolve({ proc, url: info.url, log: () => out });
      } catch {
        // not complete yet
      }
    });
    proc.stderr!.on("data", (d) => (out += d));
    proc.on("exit", (code) => reject(new Error(`start exited ${code}: ${out}`)));
  });
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.removeAllListeners("exit");
    proc.once("exit", () => resolve());
    proc.kill("SIGTERM");
  });
}

let dir: string;
let persist: string;
let sb: GitSandbox;
let emu: Awaited<ReturnType<typeof start>>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-test-"));
  persist = join(dir, "state");
  sb = await GitSandbox.create("cli-git-");
  emu = await start(persist, ["--port", "0"]);
});
afterAll(async () => {
  if (emu) await stop(emu.proc);
  await sb?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const P = () => ["--persist-to", persist];

describe("artifacts-emulator", () => {
  test("status reports the running emulator (exit 0) and a stopped one (exit 3)", async () => {
    const r = await cli(["status", "--format", "json", ...P()]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ running: true, url: emu.url });
    const other = await cli(["status", "--format", "json", "--persist-to", join(dir, "nothing")]);
    expect(other.code).toBe(3);
    expect(JSON.parse(other.stdout).running).toBe(false);
  });

  test("token create prints the secret once; list never shows it; a write token drives REST and git", async () => {
    const dry = await cli(["token", "create", "--scope", "artifacts:write", "--dry-run", "--format", "json", ...P()]);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).dryRun).toBe(true);

    const created = await cli(["token", "create", "--scope", "artifacts:write", "--name", "ci", "--format", "json", ...P()]);
    expect(created.code, created.stderr).toBe(0);
    const tok = JSON.parse(created.stdout) as { id: string; value: string };
    expect(tok.value).toMatch(/^cfat_/);
    const list = await cli(["token", "list", "--format", "json", ...P()]);
    expect(list.stdout).not.toContain(tok.value);
    expect((JSON.parse(list.stdout) as Array<{ id: string }>).map((t) => t.id)).toContain(tok.id);

    const res = await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/default/repos`, { method: "POST", headers: { Authorization: `Bearer ${tok.value}`, "Content-Type": "application/json" }, body: JSON.stringify({ name: "from-cli" }) });
    expect(res.status).toBe(201);
    const repo = (await res.json()) as { result: { remote: string; token: string } };
    const src = sb.path("src");
    await sb.ok(["init", "-q", src]);
    await sb.client(src).commit("hello", { "a.txt": "a\n" }, 1);
    await sb.ok(["-c", `http.extraHeader=Authorization: Bearer ${repo.result.token}`, "push", "-q", repo.result.remote, "main"], { cwd: src });

    const audit = await cli(["audit", "--format", "json", "--action", "git.push", ...P()]);
    expect(audit.code).toBe(0);
    const entries = JSON.parse(audit.stdout) as Array<{ action: string; resource: string; principal: string }>;
    expect(entries[0]).toMatchObject({ action: "git.push", resource: "from-cli" });
    expect(audit.stdout).not.toContain(repo.result.token.split("?")[0]);

    const revoke = await cli(["token", "revoke", tok.id, "--format", "json", ...P()]);
    expect(revoke.code).toBe(0);
    const after = await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/default/repos`, { headers: { Authorization: `Bearer ${tok.value}` } });
    expect(after.status).toBe(401);
    await after.body?.cancel();
    expect(emu.log()).not.toContain(tok.value);
  });

  test("the operator credential can come from stdin; a wrong one is an auth failure (exit 4)", async () => {
    const token = (await readFile(join(persist, "artifacts", "admin-token"), "utf8")).trim();
    const ok = await cli(["token", "list", "--token-stdin", "--format", "json", "--url", emu.url], { input: token });
    expect(ok.code).toBe(0);
    const bad = await cli(["token", "list", "--token-stdin", "--format", "json", "--url", emu.url], { input: "nope" });
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/^error: /);
  });

  test("usage errors exit 2 with a message on stderr; --help works on every command", async () => {
    expect((await cli(["frobnicate"])).code).toBe(2);
    expect((await cli(["status", "--format", "xml"])).code).toBe(2);
    expect((await cli(["token", "create", "--scope", "admin", ...P()])).code).toBe(2);
    expect((await cli(["status", "--bogus"])).code).toBe(2);
    for (const c of [["start"], ["token", "create"], ["token", "list"], ["token", "revoke"], ["audit"], ["reset"], ["status"]]) {
      const r = await cli([...c, "--help"]);
      expect(r.code, c.join(" ")).toBe(0);
      expect(r.stdout).toContain("usage:");
    }
    const top = await cli(["--help"]);
    expect(top.stdout).toContain("Exit codes");
  });

  test("reset refuses without --yes when it cannot ask, previews with --dry-run, and empties one namespace", async () => {
    const admin = (await readFile(join(persist, "artifacts", "admin-token"), "utf8")).trim();
    for (const name of ["r1", "r2"]) {
      const r = await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/scratch/repos`, { method: "POST", headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" }, body: JSON.stringify({ name }) });
      expect(r.status).toBe(201);
    }
    const refused = await cli(["reset", "--namespace", "scratch", "--no-input", ...P()]);
    expect(refused.code).toBe(2);
    const dry = await cli(["reset", "--namespace", "scratch", "--dry-run", "--format", "json", ...P()]);
    expect(JSON.parse(dry.stdout).wouldDelete.sort()).toEqual(["r1", "r2"]);
    const done = await cli(["reset", "--namespace", "scratch", "--yes", "--format", "json", ...P()]);
    expect(JSON.parse(done.stdout).deleted).toBe(2);
    const list = (await (await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/scratch/repos`, { headers: { Authorization: `Bearer ${admin}` } })).json()) as { result: unknown[] };
    expect(list.result).toEqual([]);
    const whileRunning = await cli(["reset", "--yes", ...P()]);
    expect(whileRunning.code).toBe(1);
    expect(whileRunning.stderr).toMatch(/running/);
  });

  test("state and the port survive a restart; remotes keep working", async () => {
    const admin = (await readFile(join(persist, "artifacts", "admin-token"), "utf8")).trim();
    const r = await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/default/repos/from-cli`, { headers: { Authorization: `Bearer ${admin}` } });
    const before = (await r.json()) as { result: { remote: string } };
    await stop(emu.proc);
    emu = await start(persist);
    expect(emu.url).toBe(new URL(before.result.remote).origin);
    const after = (await (await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/default/repos/from-cli`, { headers: { Authorization: `Bearer ${admin}` } })).json()) as { result: { remote: string; last_push_at: string } };
    expect(after.result.remote).toBe(before.result.remote);
    expect(after.result.last_push_at).not.toBeNull();
  });
});
