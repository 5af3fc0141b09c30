/**
 * Child processes for the benchmark: a promise-returning `run()` (never a sync spawn, so the RSS sampler keeps
 * ticking while git works) and `RssSampler`, which follows a server's whole process tree through /proc.
 */
import { spawn, type SpawnOptions } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to completion; rejects on a non-zero exit or after `timeoutMs`. */
export function run(cmd: string, args: string[], opts: SpawnOptions & { input?: AsyncIterable<string | Buffer>; timeoutMs?: number } = {}): Promise<RunResult> {
  const { input, timeoutMs = 300_000, ...spawnOpts } = opts;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { ...spawnOpts, stdio: [input ? "pipe" : "ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-8192)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      if (code === 0) resolve({ code, stdout, stderr, ms });
      else reject(new Error(`${cmd} ${args.join(" ")} → ${signal ?? `exit ${code}`}\n${stderr.trim()}`));
    });
    if (input && child.stdin) void pump(input, child.stdin);
  });
}

/** Writes an async iterable into a child's stdin with backpressure. */
async function pump(input: AsyncIterable<string | Buffer>, stdin: NodeJS.WritableStream): Promise<void> {
  stdin.on("error", () => {}); // the child's exit code reports the failure
  for await (const chunk of input) {
    if (!stdin.write(chunk)) await new Promise((r) => stdin.once("drain", r));
  }
  stdin.end();
}

const PAGE = 4096; // x86_64 and arm64 Linux defaults; /proc/<pid>/statm counts pages

const readProc = (path: string) => readFile(path, "latin1").catch(() => "");

/**
 * RSS (bytes) of `root` and all its descendants. Walks /proc/<pid>/task/<tid>/children (a few reads per process)
 * rather than scanning every /proc/<pid>/stat, which costs ~3x more CPU at a 20 ms period on a 2-core machine.
 */
export async function treeRss(root: number): Promise<{ bytes: number; procs: number }> {
  const pids = [root];
  for (let i = 0; i < pids.length; i++) {
    const pid = pids[i]!;
    const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    const lists = await Promise.all(tids.map((tid) => readProc(`/proc/${pid}/task/${tid}/children`)));
    for (const list of lists) for (const child of list.split(" ")) if (child.trim()) pids.push(Number(child));
  }
  const statm = await Promise.all(pids.map((pid) => readProc(`/proc/${pid}/statm`)));
  let bytes = 0;
  let procs = 0;
  for (const s of statm) {
    const pages = Number(s.split(" ")[1]);
    if (Number.isFinite(pages) && s) {
      bytes += pages * PAGE;
      procs++;
    }
  }
  return { bytes, procs };
}

/** Samples a process tree's RSS every `intervalMs` between `begin()` and `end()`, and keeps the peak. */
export class RssSampler {
  peak = 0;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<void> | undefined;

  constructor(
    readonly pid: number,
    private readonly intervalMs = 20,
  ) {}

  private tick(): Promise<void> {
    this.inflight ??= treeRss(this.pid)
      .then(({ bytes }) => {
        if (bytes > this.peak) this.peak = bytes;
      })
      .finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  async begin(): Promise<void> {
    this.peak = 0;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
  }

  /** Stops sampling after one last sample; returns the peak since `begin()`. */
  async end(): Promise<number> {
    clearInterval(this.timer);
    await this.inflight;
    await this.tick();
    return this.peak;
  }
}
