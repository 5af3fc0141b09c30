/**
 * The two servers under test, each in its own process tree so /proc tells their memory apart from the benchmark's:
 * - ours: `node dist/serve.mjs --port 0` (the dev server prints its URL on stdout);
 * - http-backend: this same bundle re-run with `--oracle-child`, hosting test/support/http-backend.ts, whose
 *   `git http-backend` CGI processes (and the upload-pack/pack-objects/index-pack they start) are its descendants.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { startHttpBackend } from "../test/support/http-backend";

export interface ServerProcess {
  name: "ours" | "http-backend";
  pid: number;
  base: string;
  url(repo: string): string;
  /** Makes `repo` exist and be empty before a push. */
  createRepo(repo: string): Promise<void>;
  stderrTail(): string;
  close(): Promise<void>;
}

const URL_RE = /http:\/\/127\.0\.0\.1:(\d+)/;

/** Spawns a server and resolves once it printed a `http://127.0.0.1:<port>` line on stdout. */
async function spawnServer(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000) {
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-4096)));
  const base = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => fail(`no URL on stdout after ${timeoutMs} ms`), timeoutMs);
    function fail(why: string): void {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${cmd} ${args.join(" ")}: ${why}\n${(stderr || out).trim().slice(-2000)}`));
    }
    child.on("error", (err) => fail(err.message));
    child.on("exit", (code, signal) => fail(`exited (${signal ?? code}) before printing its URL`));
    child.stdout!.setEncoding("utf8").on("data", function onData(d: string) {
      out += d;
      const m = URL_RE.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.stdout!.off("data", onData).resume(); // keep draining so the server never blocks on a full pipe
      resolve(`http://127.0.0.1:${m[1]}`);
    });
  });
  return { child, base, stderrTail: () => stderr };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

export async function startOurs(servePath: string, env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const { child, base, stderrTail } = await spawnServer(process.execPath, [servePath, "--port", "0", "--quiet"], env);
  const url = (repo: string) => `${base}/${repo}.git`;
  return {
    name: "ours",
    pid: child.pid!,
    base,
    url,
    async createRepo(repo) {
      // Explicit create when the dev server has one; otherwise the first push creates the repo.
      const res = await fetch(url(repo), { method: "PUT" }).catch(() => undefined);
      await res?.arrayBuffer();
    },
    stderrTail,
    close: () => stop(child),
  };
}

export async function startOracle(benchPath: string, root: string, repos: string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const args = [benchPath, "--oracle-child", root, ...repos];
  const { child, base, stderrTail } = await spawnServer(process.execPath, args, env);
  return {
    name: "http-backend",
    pid: child.pid!,
    base,
    url: (repo) => `${base}/${repo}.git`,
    async createRepo(repo) {
      if (!repos.includes(repo)) throw new Error(`oracle repo ${repo} was not created at start`);
    },
    stderrTail,
    close: () => stop(child),
  };
}

/** Entry of `bench.mjs --oracle-child <root> <repo>…`: creates the repos, prints the URL, serves until SIGTERM. */
export async function oracleChildMain(argv: string[]): Promise<void> {
  const [root, ...repos] = argv;
  const server = await startHttpBackend(root ? { root } : {});
  for (const repo of repos) await server.createRepo(repo);
  process.stdout.write(`${server.base}\n`);
  const shutdown = () => void server.close().finally(() => process.exit(0));
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}
