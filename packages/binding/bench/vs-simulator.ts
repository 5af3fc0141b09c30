/**
 * Binding and Git remote against Cloudflare's own local simulator, in one run (issue 3):
 *   - ours:     the built service Worker (dist/worker.js) behind a service binding, as the emulator wires it
 *   - official: Miniflare 5's built-in `artifacts` plugin (the simulator `wrangler dev` uses; `git` sidecar)
 * Both run in workerd through Miniflare direct, with the same consumer Worker. The consumer times each
 * binding call with performance.now() inside the Worker (workerd's clock has 1 ms resolution and moves
 * across I/O, so the mean over n calls is the figure for sub-millisecond calls; p50/p95 are per call).
 * Then the real git CLI pushes and clones the synthetic repo of packages/git/bench (2,001 files, ~20 MB,
 * 50 commits) against both remotes. Each result is checked (right HEAD, right count) before it counts.
 *
 * Rounds alternate which side goes first (ours, official; then official, ours; ...), and samples are pooled
 * over the rounds, so drift on the machine does not favour one side.
 *
 *   node dist/bench-vs-simulator.mjs [--rounds 2] [--reps 2] [--calls 1]   (--calls scales every call count)
 */
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { join } from "node:path";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { arg, freePort, packageRoot } from "./util";
import { ensureRepo, type BenchRepo } from "../../git/bench/repo";
import { run } from "../../git/bench/proc";

const root = packageRoot;
const rounds = Number(arg("rounds", "2"));
const reps = Number(arg("reps", "2"));
const scale = Number(arg("calls", "1"));
const COMPAT = "2026-08-01";

/** The consumer: one route per binding call, looping n times and timing each call in the Worker. */
const CONSUMER = `
export default {
  async fetch(request, env) {
    const u = new URL(request.url);
    const op = u.pathname.slice(1);
    const n = Number(u.searchParams.get("n") ?? "1");
    const name = u.searchParams.get("repo") ?? "";
    if (op === "repo") {
      const r = await env.ARTIFACTS.create(name);
      return Response.json({ remote: r.remote, token: r.token });
    }
    const repo = name ? await env.ARTIFACTS.get(name) : null;
    const tag = u.searchParams.get("tag") ?? "";
    const calls = {
      create: (i) => env.ARTIFACTS.create("c-" + tag + "-" + i),
      get: () => env.ARTIFACTS.get(name),
      createToken: () => repo.createToken("read", 3600),
      info: () => repo.info(),
      list: () => env.ARTIFACTS.list({ limit: 50 }),
      readFile: async () => {
        const b = await repo.readFile({ ref: "main", path: u.searchParams.get("path") });
        if (!b) throw new Error("readFile returned null");
        return b.text();
      },
      log50: async () => {
        const l = await repo.log({ limit: 50 });
        if (l.length !== 50) throw new Error("log returned " + l.length);
      },
      log1: () => repo.log({ limit: 1 }),
    };
    const call = calls[op];
    if (!call) return new Response("no such op", { status: 404 });
    const times = [];
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      await call(i);
      times.push(performance.now() - t);
    }
    return Response.json({ total: performance.now() - start, times });
  },
};
`;

type Side = "ours" | "official";
const SIDES: Side[] = ["ours", "official"];

function options(side: Side, persist: string, port: number) {
  const consumer = {
    name: "consumer",
    modules: true,
    script: CONSUMER,
    compatibilityDate: COMPAT,
    ...(side === "official"
      ? { artifacts: { ARTIFACTS: { namespace: "default" } } }
      : { serviceBindings: { ARTIFACTS: { name: "artifacts", entrypoint: "ArtifactsBinding", props: { namespace: "default" } } } }),
  };
  const service = {
    name: "artifacts",
    modules: true,
    modulesRoot: join(root, "dist"),
    scriptPath: join(root, "dist/worker.js"),
    compatibilityDate: COMPAT,
    compatibilityFlags: ["nodejs_compat"],
    bindings: { ADMIN_TOKEN: "bench-admin", REQUEST_LOG: "off", PUBLIC_ORIGIN: `http://127.0.0.1:${port}` },
    durableObjects: {
      REPO: { className: "RepoObject", useSQLite: true },
      NAMESPACE: { className: "NamespaceObject", useSQLite: true },
      ACCOUNT: { className: "AccountObject", useSQLite: true },
    },
  };
  return convertV4MiniflareOptions({
    host: "127.0.0.1",
    port,
    cf: false,
    resourcePersistencePath: persist,
    // The first Worker takes the HTTP port: ours serves its Git remotes there; the consumer is
    // reached through mf.getWorker() on both sides.
    workers: side === "ours" ? [service, consumer] : [consumer],
  } as never);
}

/** Samples of one call on one side, pooled over rounds. */
interface Samples {
  total: number;
  times: number[];
}
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
/** The middle value (the mean of the two middle ones for an even count). */
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

class Target {
  private constructor(
    readonly side: Side,
    readonly mf: Miniflare,
    readonly url: string,
    readonly persist: string,
  ) {}
  static async start(side: Side) {
    const persist = await mkdtemp(join(tmpdir(), `vs-sim-${side}-`));
    const mf = new Miniflare(options(side, persist, await freePort()));
    const url = (await mf.ready).origin;
    return new Target(side, mf, url, persist);
  }
  async get<T>(path: string): Promise<T> {
    const worker = await this.mf.getWorker("consumer");
    const res = await worker.fetch(`http://consumer${path}`);
    if (!res.ok) throw new Error(`${this.side} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }
  async calls(op: string, n: number, q: Record<string, string> = {}): Promise<Samples> {
    const qs = new URLSearchParams({ n: String(n), ...q });
    return this.get<Samples>(`/${op}?${qs}`);
  }
  async close() {
    await this.mf.dispose();
    await rm(this.persist, { recursive: true, force: true });
  }
}

const gitEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmpdir(), GIT_CONFIG_NOSYSTEM: "1", GIT_TERMINAL_PROMPT: "0" };
const git = (args: string[]) => run("git", args, { env: gitEnv, timeoutMs: 600_000 });
const auth = (token: string) => ["-c", `http.extraHeader=Authorization: Bearer ${token}`];

async function gitOps(t: Target, src: BenchRepo, work: string, rep: number) {
  const { remote, token } = await t.get<{ remote: string; token: string }>(`/repo?repo=git-${rep}`);
  const out: Record<string, number> = {};
  out["push (50 commits, empty repo)"] = (await git([...auth(token), "--git-dir", src.dir, "push", "-q", remote, "main"])).ms;
  for (const [name, extra, depth] of [
    ["clone (protocol v2)", [] as string[], undefined],
    ["clone (protocol v0)", ["-c", "protocol.version=0"], undefined],
    ["clone --depth 1", ["--depth", "1"], 1],
  ] as const) {
    const dest = join(work, `${t.side}-${rep}-${name.replace(/\W+/g, "_")}`);
    const flags = depth ? extra : [];
    const cfg = depth ? [] : extra;
    out[name] = (await git([...auth(token), ...cfg, "clone", "-q", ...flags, remote, dest])).ms;
    const head = (await git(["-C", dest, "rev-parse", "HEAD"])).stdout.trim();
    if (head !== src.tip) throw new Error(`${t.side} ${name}: HEAD ${head}, expected ${src.tip}`);
    if (depth) {
      const count = (await git(["-C", dest, "rev-list", "--count", "HEAD"])).stdout.trim();
      if (count !== "1") throw new Error(`${t.side} ${name}: ${count} commits`);
    }
    await rm(dest, { recursive: true, force: true });
  }
  return out;
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(a / b < 0.1 ? 3 : 2)}x` : "n/a");

async function main() {
  const cache = join(root, "../git/.bench");
  const src = await ensureRepo(cache, gitEnv);
  const work = await mkdtemp(join(tmpdir(), "vs-sim-work-"));
  const calls: Record<string, Record<Side, Samples>> = {};
  const gitTimes: Record<string, Record<Side, number[]>> = {};
  const ready: Record<Side, number[]> = { ours: [], official: [] };
  const n = (k: number) => Math.max(1, Math.round(k * scale));

  // One side at a time, so neither competes with the other for the two cores; the order alternates.
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? SIDES : [...SIDES].reverse()) {
      console.error(`round ${round + 1}/${rounds}: ${side}`);
      const t0 = performance.now();
      const t = await Target.start(side);
      ready[side].push(performance.now() - t0);
      try {
        const rec = (op: string, s: Samples) => {
          const acc = ((calls[op] ??= {} as Record<Side, Samples>)[side] ??= { total: 0, times: [] });
          acc.total += s.total;
          acc.times.push(...s.times);
        };
        const recGit = (r: Record<string, number>) => {
          for (const [k, v] of Object.entries(r)) ((gitTimes[k] ??= {} as Record<Side, number[]>)[side] ??= []).push(v);
        };
        // A repo with the synthetic history, for reads; its push is also the first git sample.
        recGit(await gitOps(t, src, work, 0));
        rec("create()", await t.calls("create", n(40), { tag: "a" }));
        rec("get()", await t.calls("get", n(200), { repo: "git-0" }));
        rec("createToken()", await t.calls("createToken", n(200), { repo: "git-0" }));
        rec("info()", await t.calls("info", n(200), { repo: "git-0" }));
        rec("list({ limit: 50 })", await t.calls("list", n(100)));
        rec("readFile() 12 KB text", await t.calls("readFile", n(40), { repo: "git-0", path: "src/mod-00/file-0000.txt" }));
        rec("log({ limit: 50 })", await t.calls("log50", n(20), { repo: "git-0" }));
        rec("log({ limit: 1 })", await t.calls("log1", n(40), { repo: "git-0" }));
        for (let rep = 1; rep <= reps; rep++) {
          recGit(await gitOps(t, src, work, rep));
        }
      } finally {
        await t.close();
      }
    }
  }
  await rm(work, { recursive: true, force: true });

  console.log(`\nbinding calls, timed inside the consumer Worker (ms; ratio = ours / official, of the means)`);
  console.log(
    `${"call".padEnd(24)} ${"ours mean".padStart(10)} ${"p50".padStart(7)} ${"p95".padStart(7)}   ${"official mean".padStart(13)} ${"p50".padStart(7)} ${"p95".padStart(7)}   ratio`,
  );
  const stat = (x: Samples) => ({ mean: x.total / x.times.length, p50: median(x.times), p95: quantile(x.times, 0.95), n: x.times.length });
  for (const [op, s] of Object.entries(calls)) {
    const o = stat(s.ours);
    const f = stat(s.official);
    console.log(
      `${op.padEnd(24)} ${fmt(o.mean).padStart(10)} ${fmt(o.p50).padStart(7)} ${fmt(o.p95).padStart(7)}   ${fmt(f.mean).padStart(13)} ${fmt(f.p50).padStart(7)} ${fmt(f.p95).padStart(7)}   ${ratio(o.mean, f.mean)}  (n=${o.n})`,
    );
  }
  console.log(
    `\ngit CLI against each remote: ${src.files} files, ${(src.treeBytes / 1e6).toFixed(1)} MB, ${src.commits} commits; medians of ${rounds * (reps + 1)} pushes and of each clone (ms)`,
  );
  console.log(`${"operation".padEnd(30)} ${"ours".padStart(8)} ${"official".padStart(9)}   ratio`);
  for (const [op, s] of Object.entries(gitTimes))
    console.log(`${op.padEnd(30)} ${fmt(median(s.ours)).padStart(8)} ${fmt(median(s.official)).padStart(9)}   ${ratio(median(s.ours), median(s.official))}`);
  console.log(`\nMiniflare ready (new Miniflare → ready, median of ${rounds}): ours ${fmt(median(ready.ours))} ms, official ${fmt(median(ready.official))} ms`);

  await mkdir(join(root, ".bench"), { recursive: true });
  await writeFile(join(root, ".bench/vs-simulator.json"), JSON.stringify({ at: new Date().toISOString(), calls, git: gitTimes, ready }, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
