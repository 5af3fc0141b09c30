/**
 * Node-side test helpers for end-to-end tests of a Worker under `artifacts-emulator dev`: spawn the
 * CLI (the real wrangler dev underneath) in its own process group, wait for its one startup line,
 * and run the real `git` client. Async child processes only.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { freePort } from "./state.js";

export interface DevProcess {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** Milliseconds from spawn to the "[artifacts-emulator] ready" line. */
  startupMs: number;
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM to the whole process group (CLI, wrangler, workerd); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnDevOptions {
  /** Path of the CLI: `artifacts-emulator/bin/artifacts-emulator.mjs` in node_modules (or any built CLI bundle). */
  cli: string;
  /** The Node that runs the CLI and wrangler (default: this one; wrangler 4.164 needs >= 22.12). */
  node?: string;
  /** The Worker's directory (where its wrangler config is). */
  cwd: string;
  /** Arguments after `dev` (wrangler dev flags and ours). */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
}

export function freeLoopbackPort(): Promise<number> {
  return freePort("127.0.0.1");
}

const READY = /\[artifacts-emulator\] ready in \d+ ms: Git remotes at (\S+?)\/git\//;

export async function spawnDev(o: SpawnDevOptions): Promise<DevProcess> {
  const started = Date.now();
  const child = spawn(o.node ?? process.execPath, [o.cli, "dev", ...(o.args ?? [])], {
    cwd: o.cwd,
    env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", ...o.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  const exited = new Promise<void>((res) => child.once("exit", () => res()));
  const origin = await new Promise<string>((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`artifacts-emulator dev not ready after ${o.readyTimeoutMs ?? 60_000} ms:\n${out}`)),
      o.readyTimeoutMs ?? 60_000,
    );
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = READY.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`artifacts-emulator dev exited (${code}) before it was ready:\n${out}`));
    });
  }).catch(async (e) => {
    killGroup(child, "SIGKILL");
    await exited;
    throw e;
  });
  const startupMs = Date.now() - started;
  return {
    origin,
    startupMs,
    child,
    output: () => out,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      killGroup(child, "SIGTERM");
      const t = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(t);
      // wrangler's own children (workerd) are in the same group: make sure none outlives the test.
      killGroup(child, "SIGKILL");
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    /* already gone */
  }
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the real git CLI (never prompting); resolves with the exit code instead of throwing. */
export function git(args: string[], opts: { cwd?: string; token?: string; env?: NodeJS.ProcessEnv } = {}): Promise<GitResult> {
  const auth = opts.token ? ["-c", `http.extraHeader=Authorization: Bearer ${opts.token}`] : [];
  return new Promise((res) => {
    execFile(
      "git",
      ["-c", "user.name=Agent", "-c", "user.email=agent@example.com", "-c", "init.defaultBranch=main", "-c", "credential.helper=", ...auth, ...args],
      { cwd: opts.cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", ...opts.env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) =>
        res({ code: err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0, stdout, stderr }),
    );
  });
}
