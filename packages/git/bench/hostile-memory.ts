/**
 * Memory of hostile requests (not a test): runs the dev server in its own process with the service's 32 MiB object
 * limit, sends every request of the hostile corpus (test/support/hostile-corpus.ts) to a seeded repo, and prints how
 * far each one moved the server's peak resident memory (Linux /proc/<pid>/status VmHWM, reset before each request by
 * writing 5 to /proc/<pid>/clear_refs). Goal: no request moves it by more than the largest legal object (32 MiB)
 * plus a small constant. Exits 1 when a request misses the goal or is not refused cleanly.
 *
 * Usage: node dist/hostile-memory.mjs   (built by `pnpm build`; also run by `pnpm bench`)
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { hostileCases, sendCase, type Target } from "../test/support/hostile-corpus";
import { run } from "./proc";

const MiB = 1024 * 1024;
const LIMIT = 32 * MiB;
/** The "small constant" of the goal: zlib and stream buffers, the response, V8's own growth. */
const SLACK = 16 * MiB;

const status = async (pid: number, key: "VmHWM" | "VmRSS") => {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(await readFile(`/proc/${pid}/status`, "latin1"));
  if (!m) throw new Error(`no ${key} for ${pid}`);
  return Number(m[1]) * 1024;
};

interface Server {
  pid: number;
  base: string;
  stop(): void;
}

async function startServer(dist: string): Promise<Server> {
  const child = spawn(process.execPath, [join(dist, "serve.mjs"), "--port", "0", "--quiet", "--max-object-bytes", String(LIMIT)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const base = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      const m = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (m) resolve(m[0]);
    });
    child.on("exit", (code) => reject(new Error(`server exited (${code}) before printing its URL`)));
  });
  return { pid: child.pid!, base, stop: () => child.kill("SIGTERM") };
}

async function main(): Promise<number> {
  const dist = dirname(fileURLToPath(import.meta.url));
  const work = await mkdtemp(join(tmpdir(), "hostile-memory-"));
  try {
    const env = {
      ...process.env,
      HOME: work,
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: "m",
      GIT_AUTHOR_EMAIL: "m@example.com",
      GIT_COMMITTER_NAME: "m",
      GIT_COMMITTER_EMAIL: "m@example.com",
    };
    const src = join(work, "src");
    await run("git", ["init", "-q", "-b", "main", src], { env });
    await writeFile(join(src, "README.md"), "# target\n");
    await run("git", ["-C", src, "add", "."], { env });
    await run("git", ["-C", src, "commit", "-qm", "first"], { env });
    const rev = async (what: string) => (await run("git", ["-C", src, "rev-parse", what], { env })).stdout.trim();
    const target: Target = { head: await rev("HEAD"), tree: await rev("HEAD^{tree}"), blob: await rev("HEAD:README.md") };

    // One fresh server per request: memory one request freed but the process kept would hide the next one's.
    const rows: Array<{ name: string; moved: number; status: number; refusal: string | null }> = [];
    for (const c of hostileCases(target, { maxObjectSize: LIMIT })) {
      const body = c.body(); // built here, in this process, before the measurement starts
      const once = { ...c, body: () => body };
      const srv = await startServer(dist);
      try {
        await run("git", ["-C", src, "push", "-q", `${srv.base}/target.git`, "main"], { env });
        await writeFile(`/proc/${srv.pid}/clear_refs`, "5");
        const before = await status(srv.pid, "VmRSS");
        const res = await sendCase(`${srv.base}/target.git`, once).catch((e: Error) => ({
          status: 0,
          body: Buffer.alloc(0),
          refusal: `no answer: ${e.message}`,
        }));
        const moved = (await status(srv.pid, "VmHWM")) - before;
        rows.push({ name: `${c.service.slice(4)}: ${c.name}`, moved, status: res.status, refusal: res.status > 0 && res.status < 500 ? res.refusal : null });
      } finally {
        srv.stop();
      }
    }
    rows.sort((a, b) => b.moved - a.moved);
    const mib = (n: number) => (n / MiB).toFixed(1).padStart(6);
    console.log(`peak RSS moved by each hostile request (object limit ${LIMIT / MiB} MiB; goal: under ${(LIMIT + SLACK) / MiB} MiB)`);
    for (const r of rows) console.log(`${mib(r.moved)} MiB  HTTP ${r.status}  ${r.name}${r.refusal ? "" : "  <- NOT A CLEAN REFUSAL"}`);
    const worst = rows[0]!;
    const bad = rows.filter((r) => r.moved > LIMIT + SLACK || !r.refusal);
    console.log(`worst: ${(worst.moved / MiB).toFixed(1)} MiB (${worst.name}); ${rows.length} requests, ${bad.length} over the goal or not refused cleanly`);
    return bad.length ? 1 : 0;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

process.exitCode = await main();
