// The artifacts-emulator CLI as users run it: a real process, real workerd, the real git client.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { cli, node22, start, stop } from "./helpers.js";

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

    const res = await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/default/repos`, {
      method: "POST",
      headers: { Authorization: `Bearer ${tok.value}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "from-cli" }),
    });
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
    expect(JSON.parse(bad.stderr)).toMatchObject({ code: "auth", exit_code: 4 });
  });

  test("usage errors exit 2 with a message on stderr; --help works on every command", async () => {
    expect((await cli(["frobnicate"])).code).toBe(2);
    expect((await cli(["status", "--format", "xml"])).code).toBe(2);
    expect((await cli(["token", "create", "--scope", "admin", ...P()])).code).toBe(2);
    expect((await cli(["status", "--bogus"])).code).toBe(2);
    for (const c of [["start"], ["token", "create"], ["token", "list"], ["token", "revoke"], ["audit"], ["reset"], ["status"]]) {
      const r = await cli([...c, "--help"]);
      expect(r.code, c.join(" ")).toBe(0);
      expect(r.stdout).toContain("Usage:");
    }
    const top = await cli(["--help"]);
    expect(top.stdout).toContain("Exit codes");
  });

  test("reset refuses without --yes when it cannot ask, previews with --dry-run, and empties one namespace", async () => {
    const admin = (await readFile(join(persist, "artifacts", "admin-token"), "utf8")).trim();
    for (const name of ["r1", "r2"]) {
      const r = await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/scratch/repos`, {
        method: "POST",
        headers: { Authorization: `Bearer ${admin}`, "Content-Type": "application/json" },
        body: JSON.stringify({ name }),
      });
      expect(r.status).toBe(201);
    }
    const refused = await cli(["reset", "--namespace", "scratch", "--no-input", ...P()]);
    expect(refused.code).toBe(2);
    const dry = await cli(["reset", "--namespace", "scratch", "--dry-run", "--format", "json", ...P()]);
    expect(JSON.parse(dry.stdout).wouldDelete.sort()).toEqual(["r1", "r2"]);
    const done = await cli(["reset", "--namespace", "scratch", "--yes", "--format", "json", ...P()]);
    expect(JSON.parse(done.stdout).deleted).toBe(2);
    const list = (await (
      await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/scratch/repos`, { headers: { Authorization: `Bearer ${admin}` } })
    ).json()) as { result: unknown[] };
    expect(list.result).toEqual([]);
    const whileRunning = await cli(["reset", "--yes", ...P()]);
    expect(whileRunning.code).toBe(1);
    expect(whileRunning.stderr).toMatch(/running/);
  });

  test("repos create|list|get|token|delete and namespaces list, whoami: the wrangler-style commands against a real emulator", async () => {
    const created = await cli(["repos", "create", "cli-repo", "--description", "made by the CLI", "--json", ...P()]);
    expect(created.code, created.stderr).toBe(0);
    const repo = JSON.parse(created.stdout) as { name: string; remote: string; token: string; namespace: string };
    expect(repo).toMatchObject({ name: "cli-repo", namespace: "default", remote: `${emu.url}/git/default/cli-repo.git` });

    const again = await cli(["repos", "create", "cli-repo", ...P()]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .*exists/);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);

    const list = JSON.parse((await cli(["repos", "list", "--json", ...P()])).stdout) as Array<{ name: string }>;
    expect(list.map((r) => r.name)).toContain("cli-repo");
    const got = JSON.parse((await cli(["--json", "repos", "get", "cli-repo", ...P()])).stdout) as { name: string; description: string };
    expect(got).toMatchObject({ name: "cli-repo", description: "made by the CLI" });
    const missing = await cli(["repos", "get", "nope", ...P()]);
    expect(missing.code).toBe(1);

    // Push with the create token, then clone with a minted read token through the printed command.
    const src = sb.path("cli-src");
    await sb.ok(["init", "-q", src]);
    await sb.client(src).commit("first", { "readme.md": "hi\n" }, 1);
    await sb.ok(["-c", `http.extraHeader=Authorization: Bearer ${repo.token}`, "push", "-q", repo.remote, "main"], { cwd: src });
    const minted = await cli(["repos", "token", "cli-repo", "--scope", "read", "--ttl", "600", "--json", ...P()]);
    expect(minted.code, minted.stderr).toBe(0);
    const tok = JSON.parse(minted.stdout) as { token: string; scope: string; clone: string; remote: string };
    expect(tok.scope).toBe("read");
    expect(tok.clone).toBe(`git -c http.extraHeader="Authorization: Bearer ${tok.token}" clone ${repo.remote}`);
    const dest = sb.path("cli-clone");
    await sb.ok(["-c", `http.extraHeader=Authorization: Bearer ${tok.token}`, "clone", "-q", tok.remote, dest]);
    expect(await readFile(join(dest, "readme.md"), "utf8")).toBe("hi\n");
    expect(await readFile(join(dest, ".git", "config"), "utf8")).not.toContain(tok.token.split("?")[0]);

    const ns = JSON.parse((await cli(["namespaces", "list", "--json", ...P()])).stdout) as Array<{ namespace: string }>;
    expect(ns.map((n) => n.namespace)).toContain("default");
    const who = await cli(["whoami", "--json", ...P()]);
    expect(JSON.parse(who.stdout)).toMatchObject({ principal: "operator", url: emu.url });

    const refused = await cli(["repos", "delete", "cli-repo", ...P()]);
    expect(refused.code).toBe(2);
    const deleted = await cli(["repos", "delete", "cli-repo", "--yes", "--json", ...P()]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect((await cli(["repos", "get", "cli-repo", ...P()])).code).toBe(1);
  });

  test("one emulator per state directory: a second start refuses (exit 5) and leaves server.json and the port alone", async () => {
    const serverFile = join(persist, "artifacts", "server.json");
    const before = await readFile(serverFile, "utf8");
    const port = await readFile(join(persist, "artifacts", "port"), "utf8");
    for (const args of [["start"], ["start", "--port", "0"]]) {
      const r = await cli([...args, ...P()]);
      expect(r.code, r.stderr).toBe(5);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(emu.url);
      expect(lines[0]).toContain(`pid ${emu.pid}`);
    }
    // `dev` on the same state directory refuses the same way, before wrangler starts.
    const worker = join(dir, "worker");
    await mkdir(worker, { recursive: true });
    await writeFile(
      join(worker, "wrangler.jsonc"),
      JSON.stringify({ name: "w", main: "index.js", compatibility_date: "2026-08-01", artifacts: [{ binding: "ARTIFACTS", namespace: "default" }] }),
    );
    await writeFile(join(worker, "index.js"), "export default { fetch() { return new Response('w'); } };");
    // The project's own wrangler (dev runs it, under a Node it accepts): this workspace's.
    await mkdir(join(worker, "node_modules"));
    await symlink(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), join(worker, "node_modules", "wrangler"));
    const dev = await cli(["dev", "--persist-to", persist], { cwd: worker, node: node22 });
    expect(dev.code, dev.stderr).toBe(5);
    expect(dev.stderr.trim().split("\n")).toHaveLength(1);
    expect(dev.stderr).toContain(`pid ${emu.pid}`);
    const json = await cli(["start", "--json", ...P()]);
    expect(JSON.parse(json.stderr)).toMatchObject({ code: "state_in_use", exit_code: 5 });
    expect(await readFile(serverFile, "utf8")).toBe(before);
    expect(await readFile(join(persist, "artifacts", "port"), "utf8")).toBe(port);
    expect((await cli(["status", "--json", ...P()])).code).toBe(0);
  });

  test("a port in use is one line (exit 1), no stack trace, and no lock left behind", async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
    const port = (busy.address() as AddressInfo).port;
    try {
      const other = join(dir, "busy");
      const r = await cli(["start", "--port", String(port), "--persist-to", other]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n")).toEqual([
        `error: Port ${port} on 127.0.0.1 is in use by another program; choose another with --port N (or --port 0 for any free port).`,
      ]);
      expect(existsSync(join(other, "artifacts", "lock"))).toBe(false);
      expect(existsSync(join(other, "artifacts", "server.json"))).toBe(false);
    } finally {
      busy.close();
    }
  });

  test("a stale record (its process is gone) is replaced silently", async () => {
    const stale = join(dir, "stale");
    const first = await start(stale, ["--port", "0"]);
    first.proc.kill("SIGKILL"); // no cleanup: server.json and the lock stay behind
    await new Promise((r) => first.proc.once("exit", r));
    expect(existsSync(join(stale, "artifacts", "lock"))).toBe(true);
    const status = await cli(["status", "--json", "--persist-to", stale]);
    expect(status.code).toBe(3);
    const second = await start(stale, ["--port", "0"]);
    try {
      expect(second.pid).not.toBe(first.pid);
      expect((await cli(["status", "--json", "--persist-to", stale])).code).toBe(0);
    } finally {
      await stop(second.proc);
    }
  });

  test("the request log: one line per request, none for the CLI's own health probes, no secrets", async () => {
    const before = emu.log().length;
    await cli(["status", ...P()]);
    await cli(["repos", "list", ...P()]);
    // Lines arrive in order: once the listing's line is there, the probe's would be too.
    const lines = () =>
      emu
        .log()
        .slice(before)
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { msg: string; route: string });
    await expect.poll(() => lines().some((l) => l.route.endsWith("/repos")), { timeout: 10_000 }).toBe(true);
    expect(lines().filter((l) => l.route === "/health")).toEqual([]);
    expect(lines().filter((l) => l.msg === "request" && l.route.endsWith("/repos"))).toHaveLength(1);
  });

  test("state and the port survive a restart; remotes keep working", async () => {
    const admin = (await readFile(join(persist, "artifacts", "admin-token"), "utf8")).trim();
    const r = await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/default/repos/from-cli`, { headers: { Authorization: `Bearer ${admin}` } });
    const before = (await r.json()) as { result: { remote: string } };
    await stop(emu.proc);
    emu = await start(persist);
    expect(emu.url).toBe(new URL(before.result.remote).origin);
    const after = (await (
      await fetch(`${emu.url}/client/v4/accounts/local/artifacts/namespaces/default/repos/from-cli`, { headers: { Authorization: `Bearer ${admin}` } })
    ).json()) as { result: { remote: string; last_push_at: string } };
    expect(after.result.remote).toBe(before.result.remote);
    expect(after.result.last_push_at).not.toBeNull();
  });
});
