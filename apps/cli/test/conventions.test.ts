// Command-line conventions, checked on the built CLI with no emulator (nothing here may reach the network).
import { describe, expect, test } from "vitest";
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { cli } from "./helpers.js";
import pkg from "../package.json" with { type: "json" };

const nowhere = ["--url", "http://127.0.0.1:9"]; // if anything tried the network, it would be a connection error (exit 3)

describe("conventions", () => {
  test("--version, -v and version print the version", async () => {
    for (const args of [["--version"], ["-v"], ["version", "--format", "text"]]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.stdout.trim()).toBe(pkg.version);
    }
    expect(JSON.parse((await cli(["version", "--json"])).stdout)).toEqual({ version: pkg.version });
  });

  test("unknown commands and flags: one line naming the nearest valid one, exit 2", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["statsu"], /unknown command "statsu"\. Did you mean "status"\?/],
      [["repos", "crate", "x"], /Did you mean "repos create"\?/],
      [["status", "--formt", "json"], /unknown option "--formt" for "status"\. Did you mean "--format"\?/],
      [["--bogus"], /unknown option "--bogus"/],
      [["repos", "token", "x", "--scoep", "read"], /Did you mean "--scope"\?/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stdout).toBe("");
    }
  });

  test("global options anywhere on the line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cli-conv-"));
    for (const args of [
      ["--format", "json", "status", "--persist-to", dir],
      ["status", "--persist-to", dir, "--format", "json"],
      ["--persist-to", dir, "--json", "status"],
    ]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(3);
      expect(JSON.parse(r.stdout)).toMatchObject({ running: false, stateDir: dir });
    }
    const who = await cli(["whoami", "--persist-to", dir]);
    expect(who.code).toBe(3);
    expect(who.stderr).toContain(dir);
  });

  test("a group alone prints its own help; help works on every command", async () => {
    for (const g of ["token", "repos", "namespaces"]) {
      const r = await cli([g]);
      expect(r.code, g).toBe(0);
      expect(r.stdout).toContain(`${g} <command>`);
    }
    const top = await cli(["help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain("Exit codes");
    const group = await cli(["help", "repos"]);
    expect(group.code).toBe(0);
    expect(group.stdout).toContain("repos <command>");
    for (const c of ["start", "repos create", "repos token", "token create", "audit", "reset", "status", "whoami", "completion"]) {
      const r = await cli([...c.split(" "), "--help"]);
      expect(r.code, c).toBe(0);
      expect(r.stdout).toContain(`npx artifacts-emulator ${c}`);
    }
  });

  test("usage errors exit 2 before any request", async () => {
    const cases: string[][] = [
      ["--url", "notaurl", "status"],
      ["repos", "list", "--url", "ftp://x"],
      ["repos", "create", "bad name!", ...nowhere],
      ["repos", "create", "-leading-dash-is-a-flag"],
      ["repos", "create", "a".repeat(64), ...nowhere],
      ["repos", "token", "demo", "--scope", "admin", ...nowhere],
      ["repos", "token", "demo", "--ttl", "5", ...nowhere],
      ["repos", "token", "demo", "--ttl", "soon", ...nowhere],
      ["repos", "list", "--namespace", "no/slash", ...nowhere],
      ["token", "create", "--scope", "admin", ...nowhere],
      ["token", "create", "--ttl", "59", ...nowhere],
      ["token", "create", "--allow-ip", "not-an-ip", ...nowhere],
      ["repos", "create", ...nowhere],
      ["repos", "get", "a", "b", ...nowhere],
      ["status", "--format", "xml"],
      ["start", "--port", "70000"],
      ["start", "--log-format", "xml", "--dry-run"],
      ["audit", "--limit", "lots", ...nowhere],
      ["reset", "--namespace", "a/b", ...nowhere],
    ];
    for (const args of cases) {
      const r = await cli(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  test("--dry-run: honoured by mutating commands, refused by those that cannot", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cli-dry-"));
    const s = await cli(["start", "--dry-run", "--json", "--persist-to", dir, "--port", "0"]);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ dryRun: true, stateDir: dir });
    for (const args of [
      ["repos", "create", "demo"],
      ["repos", "delete", "demo"],
      ["repos", "token", "demo", "--scope", "read"],
      ["token", "create"],
      ["token", "revoke", "abc"],
    ]) {
      const r = await cli([...args, "--dry-run", "--json", ...nowhere]);
      expect(r.code, args.join(" ")).toBe(0);
      expect(JSON.parse(r.stdout).dryRun).toBe(true);
    }
    const dev = await cli(["dev", "--dry-run"]);
    expect(dev.code).toBe(2);
    expect(dev.stderr).toMatch(/cannot preview/);
  });

  test("errors under --format json / --json are one JSON object on stderr with code and message", async () => {
    for (const args of [
      ["--json", "frobnicate"],
      ["repos", "create", "bad name!", "--format", "json"],
      ["whoami", "--json", "--persist-to", join(tmpdir(), "cli-none")],
    ]) {
      const r = await cli(args);
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      const e = JSON.parse(lines[0]!) as { code: string; message: string };
      expect(typeof e.code).toBe("string");
      expect(e.message.length).toBeGreaterThan(0);
    }
  });

  test("no colors when not on a terminal", async () => {
    const r = await cli(["statsu"], { env: { FORCE_COLOR: "1" } });
    expect(r.stderr).not.toContain("\u001b[");
  });

  test("completion for bash and zsh", async () => {
    for (const sh of ["bash", "zsh"]) {
      const r = await cli(["completion", sh]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("complete -F _artifacts_emulator artifacts-emulator");
      expect(r.stdout).toContain("create list get delete token");
    }
    expect((await cli(["completion", "fish"])).code).toBe(2);
    // The bash script completes commands, group members and flags.
    const script = (await cli(["completion", "bash"])).stdout;
    const complete = (words: string[]) =>
      execFileSync(
        "bash",
        ["-c", `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _artifacts_emulator; echo "\${COMPREPLY[*]}"`],
        { encoding: "utf8" },
      ).trim();
    expect(complete(["artifacts-emulator", "rep"])).toBe("repos");
    expect(complete(["artifacts-emulator", "repos", "c"])).toBe("create");
    expect(complete(["artifacts-emulator", "repos", "token", "--sc"])).toBe("--scope");
  });

  test("the state directory is found from the current directory upwards, like wrangler's config", async () => {
    const root = await mkdtemp(join(tmpdir(), "cli-find-"));
    await mkdir(join(root, ".wrangler/state/artifacts"), { recursive: true });
    await mkdir(join(root, "worker/src"), { recursive: true });
    await writeFile(join(root, "worker/wrangler.jsonc"), "{}");
    const stateFrom = async (cwd: string, args: string[] = ["status", "--json"]) => JSON.parse((await cli(args, { cwd })).stdout).stateDir as string;
    // The nearest folder with a wrangler config (or used state) holds the state...
    expect(await stateFrom(join(root, "worker/src"))).toBe(join(root, "worker/.wrangler/state"));
    expect(await stateFrom(join(root, "worker/src"), ["start", "--dry-run", "--json", "--port", "0"])).toBe(join(root, "worker/.wrangler/state"));
    // ...but a live emulator further up wins for the commands that talk to one (not for start).
    await writeFile(
      join(root, ".wrangler/state/artifacts/server.json"),
      JSON.stringify({ url: "http://127.0.0.1:9", pid: process.pid, startedAt: new Date().toISOString() }),
    );
    expect(await stateFrom(join(root, "worker/src"))).toBe(join(root, ".wrangler/state"));
    expect(await stateFrom(join(root, "worker/src"), ["start", "--dry-run", "--json", "--port", "0"])).toBe(join(root, "worker/.wrangler/state"));
    // Used state with nothing nearer: found from below.
    await mkdir(join(root, "other/a/b"), { recursive: true });
    expect(await stateFrom(join(root, "other/a/b"), ["start", "--dry-run", "--json", "--port", "0"])).toBe(join(root, ".wrangler/state"));
    const other = await mkdtemp(join(tmpdir(), "cli-find2-"));
    await mkdir(join(other, "w/src"), { recursive: true });
    await writeFile(join(other, "w/wrangler.toml"), "");
    // The environment variable overrides the search; --persist-to overrides both.
    expect(
      JSON.parse((await cli(["status", "--json"], { cwd: join(other, "w/src"), env: { ARTIFACTS_EMULATOR_PERSIST_TO: join(other, "x") } })).stdout).stateDir,
    ).toBe(join(other, "x"));
    expect(
      JSON.parse((await cli(["status", "--json", "--persist-to", join(other, "y")], { env: { ARTIFACTS_EMULATOR_PERSIST_TO: join(other, "x") } })).stdout)
        .stateDir,
    ).toBe(join(other, "y"));
  });
});
