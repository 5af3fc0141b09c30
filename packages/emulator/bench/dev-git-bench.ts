/**
 * `pnpm bench` (this package), Git part (issue 13): git push and clone of the synthetic repo of
 * packages/git/bench (2,001 files, ~20 MB, 50 commits) the way users run it, in one run:
 *   - dev:      `artifacts-emulator dev` (the consumer Worker under wrangler dev + our service)
 *   - official: plain `wrangler dev` with the `artifacts` block (Cloudflare's local simulator)
 *   - start:    `artifacts-emulator start` (the service alone, no wrangler)
 *   - traces:   (with --traces) `artifacts-emulator dev` with wrangler's local trace store on, as before issue 13
 * For each op: wall time and the CPU time the server's process tree used meanwhile (steadier than wall
 * time on a shared machine). For each side: RSS of the launched process tree idle (after ready), after the workload and its peak, and
 * the state directory's size on disk after the workload, while running and once stopped (SQLite
 * folds its write-ahead logs back in on close). Rounds rotate the order; medians are
 * reported with ratios against the official simulator. Each clone is checked (right HEAD).
 *
 *   node dist/dev-git-bench.mjs [--rounds 2] [--reps 2] [--only dev,official] [--traces]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../src/state.js";
import { emulatorPackageDir, wranglerPaths } from "../src/dev.js";
import { ensureRepo, type BenchRepo } from "../../git/bench/repo";
import { run, treeRss, RssSampler } from "../../git/bench/proc";
import { median } from "../../git/bench/report";

type Kind = "dev" | "official" | "start" | "traces";
const KINDS: Kind[] = ["dev", "official", "start", "traces"];
const LABEL: Record<Kind, string> = {
  dev: "artifacts-emulator dev",
  official: "wrangler dev, official",
  start: "artifacts-emulator start",
  traces: "dev, X_LOCAL_OBSERVABILITY=true",
};

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(emulatorPackageDir(), "../..");
const cli = join(repoRoot, "apps", "cli", "dist", "cli.mjs");
const argOf = (name: string, d: string) => (process.argv.includes(`--${name}`) ? process.argv[process.argv.indexOf(`--${name}`) + 1]! : d);
const rounds = Number(argOf("rounds", "2")) || 2;
const reps = Number(argOf("reps", "2")) || 2;
const IDLE_MS = 6000;

const WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/repo") {
      const r = await env.ARTIFACTS.create(url.searchParams.get("name"));
      return Response.json({ remote: r.remote, token: r.token });
    }
    return new Response("ok");
  },
};
`;

const gitEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
const git = (args: string[]) => run("git", args, { env: gitEnv, timeoutMs: 600_000 });
const auth = (token: string) => ["-c", `http.extraHeader=Authorization: Bearer ${token}`];

async function until(fn: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await fn().catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Bytes on disk (allocated blocks) under dir. */
async function diskBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += await diskBytes(p);
    else if (e.isFile()) n += (await stat(p)).blocks * 512;
  }
  return n;
}

/**
 * CPU seconds used so far by the tree under `root` (user + system, with reaped children's: the official
 * simulator runs a short-lived `git` per request). Robust to a busy machine where wall time is not.
 */
async function treeCpuSec(root: number): Promise<number> {
  const pids = [root];
  let ticks = 0;
  for (let i = 0; i < pids.length; i++) {
    const pid = pids[i]!;
    const stat = await readFile(`/proc/${pid}/stat`, "latin1").catch(() => "");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14-17 of stat (utime, stime, cutime, cstime) are 11-14 after the command.
    if (f.length > 14) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
    for (const tid of tids) {
      const list = await readFile(`/proc/${pid}/task/${tid}/children`, "latin1").catch(() => "");
      for (const c of list.split(" ")) if (c.trim()) pids.push(Number(c));
    }
  }
  return ticks / 100; // USER_HZ
}

interface Sample {
  idleMb: number;
  afterMb: number;
  peakMb: number;
  diskMb: number;
  stoppedDiskMb: number;
  times: Record<string, number[]>;
}

async function gitOps(kind: Kind, server: number, remote: string, token: string, src: BenchRepo, work: string, tag: string, out: Record<string, number[]>) {
  const add = (k: string, v: number) => (out[k] ??= []).push(v);
  /** Wall ms of one git command, and the server tree's CPU ms meanwhile (as "<op>, server CPU"). */
  const timed = async (name: string, args: string[]) => {
    const cpu0 = await treeCpuSec(server);
    add(name, (await git(args)).ms);
    add(`${name}, server CPU`, ((await treeCpuSec(server)) - cpu0) * 1000);
  };
  await timed("push (50 commits, empty repo)", [...auth(token), "--git-dir", src.dir, "push", "-q", remote, "main"]);
  for (const [name, cfg, flags] of [
    ["clone (protocol v2)", [] as string[], [] as string[]],
    ["clone (protocol v0)", ["-c", "protocol.version=0"], [] as string[]],
    ["clone --depth 1", [] as string[], ["--depth", "1"]],
  ] as const) {
    const dest = join(work, `${kind}-${tag}-${name.replace(/\W+/g, "_")}`);
    await timed(name, [...auth(token), ...cfg, "clone", "-q", ...flags, remote, dest]);
    const head = (await git(["-C", dest, "rev-parse", "HEAD"])).stdout.trim();
    if (head !== src.tip) throw new Error(`${kind} ${name}: HEAD ${head}, expected ${src.tip}`);
    rmSync(dest, { recursive: true, force: true });
  }
}

async function runOnce(kind: Kind, node22: string, src: BenchRepo, round: number): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), `dev-git-bench-${kind}-`));
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "src", "index.js"), WORKER);
  const official = kind === "official" ? `, "remote": false` : "";
  writeFileSync(
    join(dir, "wrangler.jsonc"),
    `{ "name": "bench-consumer", "main": "src/index.js", "compatibility_date": "2026-08-01", "artifacts": [{ "binding": "ARTIFACTS", "namespace": "default"${official} }] }\n`,
  );
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(wranglerPaths(here).dir, join(dir, "node_modules", "wrangler"));
  const state = join(dir, "state");
  const port = await freePort();
  const env = { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", ...(kind === "traces" ? { X_LOCAL_OBSERVABILITY: "true" } : {}) };
  const devArgs = ["--port", String(port), "--ip", "127.0.0.1", "--persist-to", state];
  const child: ChildProcess =
    kind === "dev" || kind === "traces"
      ? spawn(node22, [cli, "dev", ...devArgs], { cwd: dir, env, stdio: "ignore", detached: true })
      : kind === "official"
        ? spawn(node22, [wranglerPaths(here).bin, "dev", ...devArgs], { cwd: dir, env, stdio: "ignore", detached: true })
        : spawn(node22, [cli, "start", "--port", String(port), "--persist-to", state], { cwd: dir, env, stdio: "ignore", detached: true });
  const origin = `http://127.0.0.1:${port}`;
  const work = join(dir, "clones");
  mkdirSync(work);
  try {
    const readyPath = kind === "start" ? "/health" : "/";
    if (!(await until(async () => (await fetch(origin + readyPath)).status === 200, 120_000))) throw new Error(`${kind}: not ready`);
    const newRepo = async (name: string): Promise<{ remote: string; token: string }> => {
      if (kind === "start") {
        const r = await run(node22, [cli, "repos", "create", name, "--json", "--persist-to", state], { cwd: dir, env });
        const j = JSON.parse(r.stdout) as { remote: string; token: string };
        return { remote: j.remote, token: j.token };
      }
      let got: { remote: string; token: string } | undefined;
      if (
        !(await until(
          async () => ((got = (await (await fetch(`${origin}/repo?name=${name}`)).json()) as { remote: string; token: string }), !!got.remote),
          60_000,
        ))
      )
        throw new Error(`${kind}: create() failed`);
      return got!;
    };
    // One repo first so every side has loaded its service (the official one starts its sidecar lazily).
    await newRepo(`warm-${round}`);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const idle = (await treeRss(child.pid!)).bytes;
    const sampler = new RssSampler(child.pid!, 50);
    await sampler.begin();
    const times: Record<string, number[]> = {};
    for (let i = 0; i < reps; i++) {
      const { remote, token } = await newRepo(`git-${round}-${i}`);
      await gitOps(kind, child.pid!, remote, token, src, work, `${round}-${i}`, times);
    }
    const peak = await sampler.end();
    await new Promise((r) => setTimeout(r, 2000));
    const after = (await treeRss(child.pid!)).bytes;
    const disk = await diskBytes(state);
    await stop(child);
    const stoppedDisk = await diskBytes(state);
    return { idleMb: idle / 2 ** 20, afterMb: after / 2 ** 20, peakMb: peak / 2 ** 20, diskMb: disk / 2 ** 20, stoppedDiskMb: stoppedDisk / 2 ** 20, times };
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SIGTERM to the whole process group, then wait until every process of it is gone (workerd closes its SQLite files). */
async function stop(child: ChildProcess) {
  const alive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    /* gone */
  }
  const end = Date.now() + 10_000;
  while (alive() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    /* gone */
  }
}

async function main() {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build apps/cli first (pnpm build)`);
  const repoNode = join(repoRoot, ".tools", "node22", "bin", "node");
  const node22 = existsSync(repoNode) ? repoNode : process.execPath;
  const src = await ensureRepo(join(repoRoot, "packages", "git", ".bench"), gitEnv);
  const only = argOf("only", "").split(",").filter(Boolean) as Kind[];
  const kinds = only.length ? KINDS.filter((k) => only.includes(k)) : KINDS.filter((k) => k !== "traces" || process.argv.includes("--traces"));
  console.log(
    `git through dev: ${src.files} files, ${(src.treeBytes / 1e6).toFixed(1)} MB, ${src.commits} commits (git's pack ${(src.packBytes / 2 ** 20).toFixed(1)} MB); ${rounds} rounds x ${reps} repos, order rotating; wrangler ${JSON.parse(readFileSync(join(wranglerPaths(here).dir, "package.json"), "utf8")).version}`,
  );
  const times: Record<string, Record<Kind, number[]>> = {};
  const stats: Record<Kind, Record<string, number[]>> = { dev: {}, official: {}, start: {}, traces: {} };
  for (let r = 0; r < rounds; r++) {
    const order = kinds.map((_, i) => kinds[(i + r) % kinds.length]!);
    for (const k of order) {
      const s = await runOnce(k, node22, src, r);
      for (const [op, v] of Object.entries(s.times)) ((times[op] ??= {} as Record<Kind, number[]>)[k] ??= []).push(...v);
      for (const key of ["idleMb", "afterMb", "peakMb", "diskMb", "stoppedDiskMb"] as const) (stats[k][key] ??= []).push(s[key]);
      console.log(
        `  round ${r + 1} ${k.padEnd(8)} ${Object.entries(s.times)
          .filter(([op]) => !op.endsWith("CPU"))
          .map(([op, v]) => `${op.split(" (")[0]} ${v.map((x) => x.toFixed(0)).join("/")}`)
          .join(
            ", ",
          )}; RSS idle ${s.idleMb.toFixed(0)} / after ${s.afterMb.toFixed(0)} / peak ${s.peakMb.toFixed(0)} MB; disk ${s.diskMb.toFixed(1)} MB (${s.stoppedDiskMb.toFixed(1)} MB stopped)`,
      );
    }
  }
  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? `${(a / b).toFixed(2)}x` : "-");
  const med = (xs: number[] | undefined) => (xs?.length ? median(xs) : undefined);
  const fmt = (v: number | undefined, unit: string, digits = 0) => (v === undefined ? "-" : `${v.toFixed(digits)} ${unit}`);
  console.log(
    `\n| operation (median) | ${kinds.map((k) => LABEL[k]).join(" | ")} | dev / official | start / official |\n|---|${kinds.map(() => "---|").join("")}---|---|`,
  );
  const line = (name: string, v: Record<Kind, number | undefined>, unit: string, digits = 0) =>
    console.log(`| ${name} | ${kinds.map((k) => fmt(v[k], unit, digits)).join(" | ")} | ${ratio(v.dev, v.official)} | ${ratio(v.start, v.official)} |`);
  for (const [op, byKind] of Object.entries(times))
    line(op, { dev: med(byKind.dev), official: med(byKind.official), start: med(byKind.start), traces: med(byKind.traces) }, "ms");
  for (const [key, name] of [
    ["idleMb", "RSS of the process tree, idle"],
    ["afterMb", "RSS after the workload"],
    ["peakMb", "RSS peak during the workload"],
    ["diskMb", `state on disk after ${reps} push(es), running`],
    ["stoppedDiskMb", "state on disk, stopped"],
  ] as const)
    line(
      name,
      { dev: med(stats.dev[key]), official: med(stats.official[key]), start: med(stats.start[key]), traces: med(stats.traces[key]) },
      "MB",
      key.includes("isk") ? 1 : 0,
    );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
