// Spawning the built CLI as users run it.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = join(dirname(fileURLToPath(import.meta.url)), "../dist/cli.mjs");

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The repo's Node 22 (setup installs it), for commands that run wrangler: its CLI needs Node >= 22.12. */
const repoNode = join(dirname(fileURLToPath(import.meta.url)), "../../../.tools/node22/bin/node");
export const node22 = existsSync(repoNode) ? repoNode : process.execPath;

export function cli(args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string; node?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(opts.node ?? process.execPath, [CLI, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(opts.input ?? "");
  });
}

/** `start --format json` and wait for its one JSON ready line. */
export function start(persist: string, extra: string[] = []): Promise<{ proc: ChildProcess; url: string; pid: number; log: () => string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, "start", "--format", "json", "--persist-to", persist, ...extra], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout!.on("data", (d) => {
      out += d;
      const line = out.split("\n")[0]!;
      if (out.includes("\n")) {
        const info = JSON.parse(line) as { url: string; pid: number };
        resolve({ proc, url: info.url, pid: info.pid, log: () => out + err });
      }
    });
    proc.stderr!.on("data", (d) => (err += d));
    proc.on("exit", (code) => reject(new Error(`start exited ${code}: ${out}${err}`)));
  });
}

export function stop(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.removeAllListeners("exit");
    proc.once("exit", () => resolve());
    proc.kill("SIGTERM");
  });
}
