/**
 * Runs the real `git` CLI for tests, always asynchronously: our server runs in the same process as the tests, so a
 * spawnSync/execSync would block the event loop the server needs and the two would deadlock.
 *
 * Every process gets a clean environment (docs/conventions.md "Tests against the real thing"): HOME is a temp dir with a known ~/.gitconfig, no system config,
 * no terminal prompts, C locale, and only PATH inherited, so the developer's own git setup never leaks into a result.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface GitResult {
  stdout: string;
  stderr: string;
  /** exit code; -1 when the process was killed by the timeout or a signal */
  code: number;
  /** raw stdout, for binary output (pack-objects --stdout) */
  stdoutBuffer: Buffer;
}

export interface GitRunOptions {
  cwd?: string;
  /** extra environment, merged over the clean one */
  env?: Record<string, string>;
  input?: string | Buffer;
  /** kill after this many ms (default 100 s): a hung server must fail the test, not stall the run */
  timeoutMs?: number;
}

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly result: GitResult,
  ) {
    super(`git ${args.join(" ")} exited ${result.code}\n--- stderr ---\n${result.stderr}\n--- stdout ---\n${result.stdout}`);
  }
}

/** A fixed, distinct timestamp per `n` (one day apart from 2020-01-01), for reproducible commits and shallow-since. */
export function dateEnv(n: number): Record<string, string> {
  const date = `@${1577836800 + n * 86400} +0000`;
  return { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
}

export const GLOBAL_CONFIG = `[user]
	name = Conformance Test
	email = test@example.com
[init]
	defaultBranch = main
[gc]
	auto = 0
[maintenance]
	auto = false
[advice]
	detachedHead = false
	nestedTag = false
	skippedCherryPicks = false
[pull]
	rebase = false
[push]
	default = simple
[fetch]
	# the client verifies every object a server sends
	fsckObjects = true
[color]
	ui = false
[core]
	pager = cat
`;

/** One sandbox per test file: a HOME for git plus a scratch area for clones. */
export class GitSandbox {
  private counter = 0;
  private constructor(
    readonly root: string,
    readonly home: string,
  ) {}

  static async create(prefix = "git-e2e-"): Promise<GitSandbox> {
    const root = await mkdtemp(join(tmpdir(), prefix));
    const home = join(root, "home");
    await mkdir(home);
    await writeFile(join(home, ".gitconfig"), GLOBAL_CONFIG);
    return new GitSandbox(root, home);
  }

  /** A fresh, not yet existing path under the sandbox (git clone creates it). */
  path(name: string): string {
    this.counter += 1;
    return join(this.root, `${String(this.counter).padStart(3, "0")}-${name.replace(/[^A-Za-z0-9._-]/g, "_")}`);
  }

  env(extra?: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: this.home,
      XDG_CONFIG_HOME: join(this.home, ".config"),
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_TERMINAL_PROMPT: "0",
      GIT_ASKPASS: "",
      SSH_ASKPASS: "",
      LC_ALL: "C",
      TZ: "UTC",
      ...extra,
    };
  }

  /** Runs git; never throws for a non-zero exit (see `ok`). */
  run(args: readonly string[], opts: GitRunOptions = {}): Promise<GitResult> {
    return runProcess("git", args, { ...opts, cwd: opts.cwd ?? this.root }, this.env(opts.env));
  }

  /** Runs git and throws a GitError (with stderr) unless it exits 0. Returns stdout. */
  async ok(args: readonly string[], opts: GitRunOptions = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new GitError(args, r);
    return r.stdout;
  }

  /** A client bound to a working directory, like `git -C dir`. */
  client(dir: string): GitClient {
    return new GitClient(this, dir);
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

export class GitClient {
  constructor(
    readonly sandbox: GitSandbox,
    readonly dir: string,
  ) {}

  run(args: readonly string[], opts: GitRunOptions = {}): Promise<GitResult> {
    return this.sandbox.run(args, { ...opts, cwd: opts.cwd ?? this.dir });
  }

  ok(args: readonly string[], opts: GitRunOptions = {}): Promise<string> {
    return this.sandbox.ok(args, { ...opts, cwd: opts.cwd ?? this.dir });
  }

  /** stdout of an `ok` run, trimmed */
  async line(args: readonly string[], opts: GitRunOptions = {}): Promise<string> {
    return (await this.ok(args, opts)).trim();
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Writes files (relative paths) and commits them all with a fixed date. Returns the new commit id. */
  async commit(message: string, files: Record<string, string | Buffer>, n = 0): Promise<string> {
    for (const [name, content] of Object.entries(files)) {
      const p = join(this.dir, name);
      await mkdir(join(p, ".."), { recursive: true });
      await writeFile(p, content);
    }
    await this.ok(["add", "-A"]);
    await this.ok(["commit", "-q", "--allow-empty", "-m", message], { env: dateEnv(n) });
    return this.line(["rev-parse", "HEAD"]);
  }
}

/** Spawns a process asynchronously and collects its output. */
export function runProcess(cmd: string, args: readonly string[], opts: GitRunOptions, env: NodeJS.ProcessEnv): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...env, ...opts.env }, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 100_000);
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.stdin.on("error", () => {});
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const stdoutBuffer = Buffer.concat(out);
      let stderr = Buffer.concat(err).toString("utf8");
      if (timedOut) stderr += `\n[killed after ${opts.timeoutMs ?? 100_000} ms: ${cmd} ${args.join(" ")}]`;
      resolve({ stdout: stdoutBuffer.toString("utf8"), stderr, code: code ?? -1, stdoutBuffer });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** What "same" means in docs/git-protocol.md "Conformance scenarios": refs, reachable objects, shallow boundary, fsck. */
export interface RepoSnapshot {
  /** `git for-each-ref --format='%(objectname) %(refname)'` */
  refs: string;
  /** `git rev-list --all --objects | sort` */
  objects: string;
  /** sorted lines of `$GIT_DIR/shallow`, or null when the repo is not shallow */
  shallow: string[] | null;
}

export async function snapshot(g: GitClient): Promise<RepoSnapshot> {
  const refs = await g.ok(["for-each-ref", "--format=%(objectname) %(refname)"]);
  const objects = (await g.ok(["rev-list", "--all", "--objects"])).split("\n").filter(Boolean).sort().join("\n");
  return { refs, objects, shallow: await shallowOf(g) };
}

/** Sorted `$GIT_DIR/shallow` lines, or null. */
export async function shallowOf(g: GitClient): Promise<string[] | null> {
  const p = await g.line(["rev-parse", "--path-format=absolute", "--git-path", "shallow"]);
  try {
    return (await readFile(p, "utf8")).split("\n").filter(Boolean).sort();
  } catch {
    return null;
  }
}

/** `git fsck --full --strict`; returns its output so a failure shows what is wrong. */
export async function fsck(g: GitClient): Promise<GitResult> {
  return g.run(["fsck", "--full", "--strict", "--no-progress", "--no-dangling"]);
}
