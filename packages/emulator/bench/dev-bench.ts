/**
 * `pnpm bench` (this package): `wrangler dev` ready time and memory, in one run, for the same
 * consumer Worker under
 *   - ours:     `artifacts-emulator dev` (the CLI: wrangler 4.164 multi-config + our service Worker)
 *   - official: plain `wrangler dev` with the `artifacts` block (Cloudflare's local simulator)
 *   - none:     plain `wrangler dev` without an `artifacts` block
 * Ready = launch → first 200 from the Worker; also launch → first successful `create()` through the
 * binding. Memory = summed RSS of the launched process tree (wrapper, wrangler, workerd, esbuild;
 * git processes of the official simulator's sidecar are short-lived and not counted), 6 s after ready.
 * Rounds alternate the order; medians are reported. `--rounds N` (default 3).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../src/state.js";
import { wranglerPaths, emulatorPackageDir } from "../src/dev.js";

type Kind = "ours" | "official" | "none";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(emulatorPackageDir(), "../..");
const cli = join(repoRoot, "apps", "cli", "dist", "cli.mjs");
/** Memory is taken this long after ready (ours checks its config with wrangler's reader in a short-lived process right after ready). */
const IDLE_MS = 6000;
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1] || 3) || 3;

const WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/create") {
      const r = await env.ARTIFACTS.create("bench-" + crypto.randomUUID().slice(0, 8));
      return Response.json({ remote: r.remote });
    }
    return new Response("ok");
  },
};
`;

function config(kind: Kind): string {
  const artifacts =
    kind === "none" ? "" : `, "artifacts": [{ "binding": "ARTIFACTS", "namespace": "default"${kind === "official" ? `, "remote": false` : ""} }]`;
  return `{ "name": "bench-consumer", "main": "src/index.js", "compatibility_date": "2026-08-01"${artifacts} }\n`;
}

/** RSS (kB) of pid and all its descendants, from /proc. */
function treeRssKb(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${d}/status`, "utf8"));
      rss.set(Number(d), m ? Number(m[1]) : 0);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
    } catch {
      /* exited meanwhile */
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss.get(p) ?? 0;
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

async function until(fn: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

interface Sample {
  readyMs: number;
  createMs: number | null;
  rssMb: number;
}

async function runOnce(kind: Kind, node22: string): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), `dev-bench-${kind}-`));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "index.js"), WORKER);
  writeFileSync(join(dir, "wrangler.jsonc"), config(kind));
  // A user's project has its own wrangler, which artifacts-emulator dev runs: this workspace's.
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(wranglerPaths(here).dir, join(dir, "node_modules", "wrangler"));
  const port = await freePort();
  const env = { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false" };
  const args = ["--port", String(port), "--ip", "127.0.0.1", "--persist-to", join(dir, "state")];
  const t0 = performance.now();
  const child: ChildProcess =
    kind === "ours"
      ? spawn(node22, [cli, "dev", ...args], { cwd: dir, env, stdio: "ignore", detached: true })
      : spawn(node22, [wranglerPaths(here).bin, "dev", ...args], { cwd: dir, env, stdio: "ignore", detached: true });
  const origin = `http://127.0.0.1:${port}`;
  try {
    if (!(await until(async () => (await fetch(`${origin}/`)).status === 200, 90_000))) throw new Error(`${kind}: not ready`);
    const readyMs = performance.now() - t0;
    let createMs: number | null = null;
    if (kind !== "none") {
      if (!(await until(async () => (await fetch(`${origin}/create`)).status === 200, 60_000))) throw new Error(`${kind}: create() failed`);
      createMs = performance.now() - t0;
    }
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const rssMb = treeRssKb(child.pid!) / 1024;
    return { readyMs, createMs, rssMb };
  } finally {
    const exited = new Promise((r) => child.once("exit", r));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      /* gone */
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main() {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build apps/cli first (pnpm build)`);
  // The wrangler CLI needs Node >= 22.12: this repository's own (scripts/setup.sh), else this one.
  const repoNode = join(repoRoot, ".tools", "node22", "bin", "node");
  const node22 = existsSync(repoNode) ? repoNode : process.execPath;
  const kinds: Kind[] = ["ours", "official", "none"];
  const samples: Record<Kind, Sample[]> = { ours: [], official: [], none: [] };
  console.log(
    `wrangler dev start and memory: ${rounds} rounds, order rotating; wrangler ${JSON.parse(readFileSync(join(wranglerPaths(here).dir, "package.json"), "utf8")).version}`,
  );
  for (let r = 0; r < rounds; r++) {
    const order = kinds.map((_, i) => kinds[(i + r) % kinds.length]!);
    for (const k of order) {
      const s = await runOnce(k, node22);
      samples[k].push(s);
      console.log(
        `  round ${r + 1} ${k.padEnd(8)} ready ${s.readyMs.toFixed(0)} ms${s.createMs ? `, first create() ${s.createMs.toFixed(0)} ms` : ""}, RSS ${s.rssMb.toFixed(0)} MB`,
      );
    }
  }
  const row = (k: Kind, label: string) => {
    const ready = median(samples[k].map((s) => s.readyMs));
    const create = samples[k][0]!.createMs === null ? "-" : `${median(samples[k].map((s) => s.createMs!)).toFixed(0)} ms`;
    const rss = median(samples[k].map((s) => s.rssMb));
    return `| ${label} | ${ready.toFixed(0)} ms | ${create} | ${rss.toFixed(0)} MB |`;
  };
  const base = { ready: median(samples.none.map((s) => s.readyMs)), rss: median(samples.none.map((s) => s.rssMb)) };
  console.log(`\n| wrangler dev (median of ${rounds}) | ready (first 200) | first create() | RSS of the process tree |\n|---|---|---|---|`);
  console.log(row("ours", "artifacts-emulator dev (ours)"));
  console.log(row("official", "wrangler dev, official simulator"));
  console.log(row("none", "wrangler dev, no artifacts block"));
  for (const k of ["ours", "official"] as const) {
    const ready = median(samples[k].map((s) => s.readyMs)) - base.ready;
    const rss = median(samples[k].map((s) => s.rssMb)) - base.rss;
    console.log(
      `${k === "ours" ? "ours    " : "official"} adds ${ready >= 0 ? "+" : ""}${ready.toFixed(0)} ms start and ${rss >= 0 ? "+" : ""}${rss.toFixed(0)} MB over no artifacts block`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
