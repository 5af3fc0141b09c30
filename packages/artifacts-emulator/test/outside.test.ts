/**
 * The package as a user gets it, outside this workspace: pack the tarball, copy a scratch Worker project
 * (test/scratch: package.json, wrangler.jsonc with an `artifacts` block, src/index.ts, a Vitest test) to a
 * temp directory, install the tarball with npm and, separately, with pnpm (other dependencies from the
 * registry at pinned versions; no access to this repository's node_modules), then run what the README
 * tells users to run: `npx artifacts-emulator dev` (create → git push → git clone), `vitest run` through
 * @cloudflare/vitest-plugin, getArtifactsPlatformProxy from a Node script, and `tsc --noEmit`.
 */
import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "@artifacts-emulator/emulator/testing/node";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(pkgDir, "../..");
// The wrangler CLI needs Node >= 22.12: a user has one; this repository's setup installs it in .tools/.
const node22Bin = join(repoRoot, ".tools", "node22", "bin");
const pnpm = join(repoRoot, ".tools", "bin", "pnpm");

/** This process's environment without what pnpm, turbo and Vitest add: no PATH or NODE_PATH entry into this repository. */
function cleanEnv(extraPath: string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|PNPM_|VITEST|TEST$|NODE_ENV$|NODE_OPTIONS$|NODE_PATH$|INIT_CWD$|TURBO_)/i.test(k)) env[k] = v;
  const path = (process.env.PATH ?? "").split(delimiter).filter((p) => p && !resolve(p).startsWith(repoRoot + "/"));
  env.PATH = [...extraPath, ...path].join(delimiter);
  return {
    ...env,
    CI: "1",
    WRANGLER_SEND_METRICS: "false",
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    GIT_TERMINAL_PROMPT: "0",
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): Promise<Run> {
  return new Promise((res) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: opts.env ?? cleanEnv(), timeout: opts.timeout ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        res({ code: err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0, stdout, stderr });
      },
    );
  });
}
const ok = (r: Run, what: string) => {
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r;
};
const git = (args: string[], cwd: string, token?: string) =>
  run(
    "git",
    [
      "-c",
      "user.name=Scratch",
      "-c",
      "user.email=scratch@example.com",
      "-c",
      "init.defaultBranch=main",
      ...(token ? ["-c", `http.extraHeader=Authorization: Bearer ${token}`] : []),
      ...args,
    ],
    { cwd },
  );

let work: string;
let tarball: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "artifacts-emulator-outside-"));
  const packed = ok(
    await run(process.execPath, [join(pkgDir, "scripts", "pack.mjs"), "--out", join(work, "pack"), "--dry-run-publish"], { cwd: pkgDir }),
    "pack",
  );
  tarball = packed.stdout.trim();
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed tarball", () => {
  it("holds built JavaScript, types, the service and dashboard Workers, README and LICENSE; its manifest has no workspace: and no .ts", async () => {
    const files = ok(await run("tar", ["tzf", tarball], { cwd: work }), "tar")
      .stdout.trim()
      .split("\n")
      .map((f) => f.replace(/^package\//, ""));
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "LICENSE",
        "bin/artifacts-emulator.mjs",
        "dist/cli.mjs",
        "dist/vitest.mjs",
        "types/vitest.d.ts",
        "worker/worker.js",
        "dashboard/worker.mjs",
      ]),
    );
    expect(
      files.filter(
        (f) =>
          !/^(package\.json|README\.md|LICENSE|bin\/[\w-]+\.mjs|dist\/[\w-]+\.mjs|types\/[\w-]+\.d\.ts|worker\/worker\.js|dashboard\/worker\.mjs)$/.test(f),
      ),
    ).toEqual([]);
    const manifest = ok(await run("tar", ["xzOf", tarball, "package/package.json"], { cwd: work }), "tar").stdout;
    expect(manifest).not.toContain("workspace:");
    const pkg = JSON.parse(manifest) as {
      exports: Record<string, unknown>;
      bin: Record<string, string>;
      license: string;
      engines: unknown;
      repository: unknown;
      devDependencies?: unknown;
    };
    expect(JSON.stringify(pkg.exports)).not.toMatch(/(?<!\.d)\.ts"/);
    expect(Object.keys(pkg.exports)).toEqual(
      expect.arrayContaining([".", "./vitest", "./platform-proxy", "./vite", "./harness", "./testing", "./testing/node"]),
    );
    expect(pkg).toMatchObject({ bin: { "artifacts-emulator": "bin/artifacts-emulator.mjs" }, license: "MIT" });
    expect(pkg.engines).toBeDefined();
    expect(pkg.repository).toBeDefined();
    expect(pkg.devDependencies).toBeUndefined();
  });
});

for (const pm of ["npm", "pnpm"] as const) {
  describe(`a Worker project outside the workspace, installed with ${pm}`, () => {
    let dir: string;

    beforeAll(async () => {
      dir = join(work, pm);
      cpSync(join(pkgDir, "test", "scratch"), dir, { recursive: true });
      const t0 = Date.now();
      // The README's install command, with the tarball in place of the registry name.
      const args = pm === "npm" ? ["i", "-D", "--no-audit", "--no-fund", "--loglevel=error", tarball] : ["add", "-D", "--reporter=silent", tarball];
      ok(await run(pm === "npm" ? "npm" : pnpm, args, { cwd: dir, timeout: 600_000 }), `${pm} install`);
      console.log(`${pm}: installed the scratch project in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      expect(existsSync(join(dir, "node_modules", ".bin", "artifacts-emulator"))).toBe(true);
    });

    it("`npx artifacts-emulator dev` serves create() → git push → git clone", async () => {
      const port = await freeLoopbackPort();
      const [cmd, pre] = pm === "npm" ? ["npx", ["--no-install"]] : [pnpm, ["exec"]];
      const child = spawn(cmd, [...pre, "artifacts-emulator", "dev", "--port", String(port), "--ip", "127.0.0.1"], {
        cwd: dir,
        env: cleanEnv(existsSync(node22Bin) ? [node22Bin] : []),
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
      let out = "";
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      try {
        await new Promise<void>((res, rej) => {
          const timer = setTimeout(() => rej(new Error(`not ready after 120 s:\n${out}`)), 120_000);
          const onData = (b: Buffer) => {
            out += b.toString();
            if (/\[artifacts-emulator\] ready in \d+ ms/.test(out)) {
              clearTimeout(timer);
              res();
            }
          };
          child.stdout!.on("data", onData);
          child.stderr!.on("data", onData);
          child.once("exit", (code) => rej(new Error(`dev exited (${code}):\n${out}`)));
        });
        const origin = `http://127.0.0.1:${port}`;
        const res = await fetch(`${origin}/repos/demo`, { method: "POST" });
        expect(res.status).toBe(201);
        const repo = (await res.json()) as { remote: string; token: string };
        expect(repo.remote).toBe(`${origin}/git/scratch/demo.git`);

        const src = join(dir, "work");
        mkdirSync(src);
        writeFileSync(join(src, "README.md"), "# pushed with git\n");
        ok(await git(["init", "-q"], src), "git init");
        ok(await git(["add", "."], src), "git add");
        ok(await git(["commit", "-qm", "first"], src), "git commit");
        ok(await git(["push", "-q", repo.remote, "main"], src, repo.token), "git push");
        ok(await git(["clone", "-q", repo.remote, join(dir, "clone")], dir, repo.token), "git clone");
        expect(readFileSync(join(dir, "clone", "README.md"), "utf8")).toBe("# pushed with git\n");
        expect(out).not.toMatch(/art_v\d_/);
      } finally {
        try {
          process.kill(-child.pid!, "SIGTERM");
        } catch {
          /* gone */
        }
        const t = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
          } catch {
            /* gone */
          }
        }, 10_000);
        await exited;
        clearTimeout(t);
      }
    });

    it("the Vitest test passes through @cloudflare/vitest-plugin, with no deprecation banner and no PUBLIC_ORIGIN warning", async () => {
      const r = ok(
        await (pm === "npm" ? run("npx", ["--no-install", "vitest", "run"], { cwd: dir }) : run(pnpm, ["exec", "vitest", "run"], { cwd: dir })),
        "vitest run",
      );
      const out = r.stdout + r.stderr;
      expect(out).toMatch(/1 passed/);
      expect(out).not.toMatch(/PUBLIC_ORIGIN|vitest-pool-workers|deprecated|renamed/i);
    });

    it("getArtifactsPlatformProxy works from a Node script (create, push, git clone)", async () => {
      const r = ok(await run(process.execPath, ["scripts/proxy.mjs"], { cwd: dir }), "node scripts/proxy.mjs");
      expect(r.stdout).toContain("proxy ok: hello from node");
      expect(r.stdout + r.stderr).not.toMatch(/PUBLIC_ORIGIN/);
    });

    it("tsc --noEmit passes against the package's types (Worker, test, config and every export)", async () => {
      const tsc = join(dir, "node_modules", ".bin", "tsc");
      ok(await run(tsc, ["--noEmit"], { cwd: dir }), "tsc (worker)");
      ok(await run(tsc, ["--noEmit", "-p", "tsconfig.node.json"], { cwd: dir }), "tsc (node)");
    });

    if (pm === "npm") {
      describe("bad input: one line on stderr, non-zero exit, no stack trace", () => {
        const cli = () => join(dir, "node_modules", "artifacts-emulator", "bin", "artifacts-emulator.mjs");
        const node22 = () => (existsSync(node22Bin) ? join(node22Bin, "node") : process.execPath);
        const oneLine = (r: Run, pattern: RegExp) => {
          expect(r.code).not.toBe(0);
          expect(r.stderr.trim().split("\n"), r.stderr).toHaveLength(1);
          expect(r.stderr).toMatch(pattern);
          expect(r.stderr).not.toMatch(/\n\s+at /);
        };

        it("no wrangler installed: the install command", async () => {
          const bare = join(work, "no-wrangler");
          mkdirSync(bare, { recursive: true });
          writeFileSync(join(bare, "wrangler.jsonc"), readFileSync(join(dir, "wrangler.jsonc")));
          oneLine(await run(node22(), [cli(), "dev"], { cwd: bare }), /wrangler is not installed in .*npm i -D wrangler@\^4\.164\.0/);
        });

        it("a wrangler outside the peer range", async () => {
          const old = join(work, "old-wrangler");
          mkdirSync(join(old, "node_modules", "wrangler"), { recursive: true });
          writeFileSync(join(old, "node_modules", "wrangler", "package.json"), JSON.stringify({ name: "wrangler", version: "3.114.0", main: "index.js" }));
          writeFileSync(join(old, "wrangler.jsonc"), readFileSync(join(dir, "wrangler.jsonc")));
          oneLine(await run(node22(), [cli(), "dev"], { cwd: old }), /wrangler 3\.114\.0 .*is not supported: artifacts-emulator needs wrangler >=4\.164\.0 <5/);
        });

        it.runIf(Number(process.versions.node.split(".")[0]) < 22)("a Node older than wrangler needs", async () => {
          oneLine(await run(process.execPath, [cli(), "dev"], { cwd: dir }), /wrangler 4\.164\.0 needs Node\.js >= 22\.12\.0, and this is Node\.js v\d+/);
        });

        it("a config with no artifacts binding: one note, then plain wrangler dev serves the Worker", async () => {
          writeFileSync(join(dir, "plain.jsonc"), '{ "name": "plain", "main": "src/index.ts", "compatibility_date": "2026-08-01" }\n');
          const port = await freeLoopbackPort();
          const child = spawn(node22(), [cli(), "dev", "-c", "plain.jsonc", "--port", String(port), "--ip", "127.0.0.1"], {
            cwd: dir,
            env: cleanEnv(),
            stdio: ["ignore", "pipe", "pipe"],
            detached: true,
          });
          let stderr = "";
          child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
          child.stdout!.resume();
          const exited = new Promise<void>((r) => child.once("exit", () => r()));
          try {
            let body = "";
            for (let i = 0; i < 1200 && !body; i++) {
              body = await fetch(`http://127.0.0.1:${port}/`).then(
                (r) => r.text(),
                () => "",
              );
              if (!body) await new Promise((r) => setTimeout(r, 100));
            }
            expect(body).toBe("scratch worker\n");
            expect(stderr).toContain(`[artifacts-emulator] ${join(dir, "plain.jsonc")} has no artifacts binding: running plain wrangler dev`);
          } finally {
            try {
              process.kill(-child.pid!, "SIGKILL");
            } catch {
              /* gone */
            }
            await exited;
          }
        });

        it("a config that does not parse: file, line and column", async () => {
          writeFileSync(join(dir, "broken.jsonc"), '{\n  "name": "x",\n  "main": "src/index.ts"\n  "artifacts": []\n}\n');
          oneLine(await run(node22(), [cli(), "dev", "-c", "broken.jsonc"], { cwd: dir }), /Cannot parse .*broken\.jsonc:4:3: /);
        });
      });
    }
  });
}
