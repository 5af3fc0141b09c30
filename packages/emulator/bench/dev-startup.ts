/**
 * Issue 4 benchmark: what an `artifacts` binding costs `wrangler dev`, in one run.
 *   ours      artifacts-emulator dev      (the user's config, artifacts served by our Worker)
 *   official  wrangler dev                (the same config: miniflare's local simulator + git sidecar)
 *   none      wrangler dev                (the same Worker without the artifacts block)
 * For each: time from spawn to the first 200 from the Worker, RSS of the whole process tree when
 * ready and after one env.ARTIFACTS.create(); medians of N runs. Numbers, not assertions.
 *
 *   node dist/bench-dev.mjs [--reps 3]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = [join(here, "../../.."), join(here, "../..")].find((p) => existsSync(join(p, "pnpm-workspace.yaml")))!;
const node22 = join(repoRoot, ".tools/node22/bin/node");
const cli = join(repoRoot, "apps/cli/dist/cli.mjs");
const wrangler = join(repoRoot, "node_modules/.pnpm/node_modules/wrangler/bin/wrangler.js");
const reps = Number(process.argv[process.argv.indexOf("--reps") + 1] || 3) || 3;

const WORKER = `export default {
  async fetch(req, env) {
    const url = new URL(req.url);
    if (url.pathname === "/create") {
      const r = await env.ARTIFACTS.create("bench-" + crypto.randomUUID().slice(0, 8));
      return Response.json({ name: r.name, remote: r.remote });
    }
    return new Response("ok");
  },
};
`;

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

/** RSS (bytes) of a process and all its descendants, from /proc. */
async function treeRss(pid: number): Promise<number> {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const d of await readdir("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = await readFile(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(d), Number(f[1]));
      rss.set(Number(d), Number(f[21]) * 4096);
    } catch {
      // process ended
    }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    for (const [c, pp] of parent) if (pp === p) stack.push(c);
  }
  return total;
}

async function waitReady(port: number, proc: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (proc.exitCode !== null) throw new Error(`exited with ${proc.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`);
      if (r.status === 200 && (await r.text()) === "ok") return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("not ready in time");
}

function stop(proc: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (proc.exitCode !== null) return res();
    proc.once("exit", () => res());
    try {
      process.kill(-proc.pid!, "SIGTERM");
    } catch {
      proc.kill("SIGTERM");
    }
    setTimeout(() => {
      try {
        process.kill(-proc.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }, 5000);
  });
}

type Variant = "ours" | "official" | "none";

async function runOnce(variant: Variant, home: string): Promise<{ readyMs: number; rssReady: number; rssAfter: number | null }> {
  const dir = await mkdtemp(join(tmpdir(), `bench-dev-${variant}-`));
  await mkdir(join(dir, "src"));
  await writeFile(join(dir, "src/index.js"), WORKER);
  const config: Record<string, unknown> = { name: "bench-consumer", main: "src/index.js", compatibility_date: "2026-08-01" };
  if (variant !== "none") config.artifacts = [{ binding: "ARTIFACTS", namespace: "default" }];
  await writeFile(join(dir, "wrangler.jsonc"), JSON.stringify(config, null, 2));
  const port = await freePort();
  const env = { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), CI: "1", WRANGLER_SEND_METRICS: "false", ARTIFACTS_EMULATOR_NODE22: node22 };
  const args = variant === "ours" ? [cli, "dev", "--port", String(port), "--inspector-port", "0"] : [wrangler, "dev", "--port", String(port), "--inspector-port", "0"];
  const t0 = performance.now();
  const proc = spawn(variant === "ours" ? process.execPath : node22, args, { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  proc.stdout!.on("data", (d) => (log += d));
  proc.stderr!.on("data", (d) => (log += d));
  try {
    await waitReady(port, proc);
    const readyMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 2000));
    const rssReady = await treeRss(proc.pid!);
    let rssAfter: number | null = null;
    if (variant !== "none") {
      const r = await fetch(`http://127.0.0.1:${port}/create`);
      if (r.status !== 200) throw new Error(`create failed: ${r.status} ${await r.text()}`);
      await r.json();
      rssAfter = await treeRss(proc.pid!);
    }
    return { readyMs, rssReady, rssAfter };
  } catch (e) {
    throw new Error(`${variant}: ${(e as Error).message}\n${log.slice(-2000)}`);
  } finally {
    await stop(proc);
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  if (!existsSync(node22)) throw new Error(`Node 22 not found at ${node22}; run bash scripts/setup.sh`);
  const home = await mkdtemp(join(tmpdir(), "bench-dev-home-"));
  const results: Record<Variant, Array<{ readyMs: number; rssReady: number; rssAfter: number | null }>> = { ours: [], official: [], none: [] };
  for (let i = 0; i < reps; i++)
    for (const v of ["none", "official", "ours"] as Variant[]) {
      results[v].push(await runOnce(v, home));
      console.error(`  rep ${i + 1}: ${v} ready in ${results[v].at(-1)!.readyMs.toFixed(0)} ms`);
    }
  const MB = (b: number) => (b / 1024 / 1024).toFixed(0).padStart(6);
  const none = { ready: median(results.none.map((r) => r.readyMs)), rss: median(results.none.map((r) => r.rssReady)) };
  console.log(`\nwrangler dev with an artifacts binding: medians of ${reps} runs (wrangler 4.164.0, Node 22)`);
  console.log(`${"variant".padEnd(10)} ${"ready ms".padStart(9)} ${"+ms vs none".padStart(12)} ${"RSS MB".padStart(7)} ${"+MB vs none".padStart(12)} ${"RSS after create".padStart(17)}`);
  for (const v of ["none", "official", "ours"] as Variant[]) {
    const ready = median(results[v].map((r) => r.readyMs));
    const rss = median(results[v].map((r) => r.rssReady));
    const after = v === "none" ? null : median(results[v].map((r) => r.rssAfter ?? 0));
    console.log(`${v.padEnd(10)} ${ready.toFixed(0).padStart(9)} ${(ready - none.ready).toFixed(0).padStart(12)} ${MB(rss)} ${((rss - none.rss) / 1024 / 1024).toFixed(0).padStart(12)} ${after === null ? "-".padStart(17) : MB(after).padStart(17)}`);
  }
  await rm(home, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
