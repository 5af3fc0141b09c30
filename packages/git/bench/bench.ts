/**
 * `pnpm bench`: the real git CLI against our dev server and against stock `git http-backend`, same repo, same run
 * (run-to-run spread is 10–20 %, so only ratios taken in one run mean something).
 *
 * For each of N repetitions (default 3) and each server: `git push --all` of the synthetic repo (repo.ts) into an empty
 * repo, then `git clone` with protocol v2 and v0, and `git clone --depth 1` (ops.ts). It records the wall time of the
 * git command, and the peak RSS of the server's process tree sampled from /proc every 20 ms meanwhile (proc.ts).
 * Prints medians and ours/http-backend ratios (report.ts), writes packages/git/.bench/last.json, and exits 1 if any
 * run failed.
 *
 * Usage: node --expose-gc dist/bench.mjs [--reps N]   (built by `pnpm build`; `pnpm bench -- --reps N` from the root)
 */
import { constants } from "node:fs";
import { access, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { git, OPS } from "./ops";
import { RssSampler, treeRss } from "./proc";
import { ensureRepo } from "./repo";
import { failures, formatTable, mib, type Results, type Sample } from "./report";
import { oracleChildMain, startOracle, startOurs, type ServerProcess } from "./servers";

const isWritable = (dir: string) =>
  access(dir, constants.W_OK).then(
    () => true,
    () => false,
  );

function parseReps(argv: string[]): number {
  const i = argv.indexOf("--reps");
  const n = i >= 0 ? Number(argv[i + 1]) : 3;
  return Number.isInteger(n) && n > 0 ? n : 3;
}

async function main(): Promise<number> {
  const dist = dirname(fileURLToPath(import.meta.url)); // packages/git/dist
  const cache = join(resolve(dist, ".."), ".bench");
  const reps = parseReps(process.argv);

  const work = await mkdtemp(join(tmpdir(), "artifacts-bench-"));
  // Clones go to tmpfs when there is one: checking out 2,000 files is client work whose time swings 2x with the
  // disk's writeback here, and would drown the server's share of the wall time.
  const scratch = await mkdtemp(join((await isWritable("/dev/shm")) ? "/dev/shm" : work, "artifacts-bench-"));
  await mkdir(join(work, "home"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: join(work, "home"),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_TERMINAL_PROMPT: "0",
    LC_ALL: "C",
  };
  const servers: ServerProcess[] = [];
  const samplers = new Map<string, RssSampler>();
  try {
    const gitVersion = (await git(["--version"], env)).stdout.trim();
    const s = reps === 1 ? "" : "s";
    console.log(`bench: node ${process.version}, ${gitVersion}, ${cpus().length} cores, ${reps} repetition${s}`);

    let t = performance.now();
    const src = await ensureRepo(cache, env);
    console.log(
      `repo: ${src.files} files, ${mib(src.treeBytes).toFixed(1)} MiB work tree, ${src.commits} commits, ` +
        `${src.objects} objects, ${mib(src.packBytes).toFixed(2)} MiB packed, main ${src.tip.slice(0, 12)} ` +
        `(${Math.round(performance.now() - t)} ms)`,
    );

    // Both servers run in their own process, so /proc tells their memory apart from ours.
    const repoNames = Array.from({ length: reps }, (_, i) => `bench-${i}`);
    const results: Results = new Map();
    const idle = new Map<string, number>();
    const starters: [string, () => Promise<ServerProcess>][] = [
      ["ours", () => startOurs(join(dist, "serve.mjs"), process.env)],
      ["http-backend", () => startOracle(fileURLToPath(import.meta.url), join(work, "oracle"), repoNames, process.env)],
    ];
    for (const [name, start] of starters) {
      t = performance.now();
      try {
        const server = await start();
        servers.push(server);
        await new Promise((r) => setTimeout(r, 300));
        idle.set(name, (await treeRss(server.pid)).bytes);
        samplers.set(name, new RssSampler(server.pid));
        console.log(`${name}: ${server.base} up in ${Math.round(performance.now() - t)} ms`);
      } catch (err) {
        console.log(`${name}: FAILED TO START: ${(err as Error).message}`);
        results.set(name, new Map(OPS.map((op) => [op.name, { ms: [], peak: [], errors: ["server did not start"] }])));
      }
    }

    // Repetition-major, so slow drift of the machine hits both servers alike.
    for (let rep = 0; rep < reps; rep++) {
      for (const server of servers) {
        const sampler = samplers.get(server.name)!;
        const byOp = results.get(server.name) ?? new Map<string, Sample>();
        results.set(server.name, byOp);
        for (const op of OPS) {
          const sample = byOp.get(op.name) ?? { ms: [], peak: [], errors: [] };
          byOp.set(op.name, sample);
          (globalThis as { gc?: () => void }).gc?.(); // keep this process's garbage out of the way (--expose-gc)
          await sampler.begin();
          try {
            const ms = await op.exec({ server, repo: repoNames[rep]!, src, work: scratch, env });
            sample.peak.push(await sampler.end());
            sample.ms.push(ms);
          } catch (err) {
            await sampler.end();
            const msg = (err as Error).message.split("\n").slice(0, 4).join(" | ");
            sample.errors.push(`rep ${rep + 1}: ${msg}`);
            console.log(`  ${server.name} / ${op.name} / rep ${rep + 1}: FAILED ${msg}`);
          }
        }
      }
      console.log(`rep ${rep + 1}/${reps} done`);
    }

    console.log(
      "\n" +
        formatTable(
          OPS.map((op) => op.name),
          results,
          idle,
          reps,
        ),
    );
    const failed = failures(results);
    if (failed.length) {
      console.log(`\n${failed.length} failed run(s):\n  ${failed.join("\n  ")}`);
      for (const server of servers) {
        const tail = server.stderrTail().trim();
        if (tail) console.log(`\n${server.name} stderr (tail):\n${tail.slice(-1500)}`);
      }
    }
    const byServer = Object.fromEntries([...results].map(([k, v]) => [k, Object.fromEntries(v)]));
    const out = { date: new Date().toISOString(), node: process.version, git: gitVersion, reps, repo: src };
    const json = { ...out, idle: Object.fromEntries(idle), results: byServer };
    await writeFile(join(cache, "last.json"), JSON.stringify(json, null, 2) + "\n");
    return failed.length ? 1 : 0;
  } finally {
    for (const sampler of samplers.values()) await sampler.end();
    await Promise.all(servers.map((server) => server.close()));
    await rm(scratch, { recursive: true, force: true });
    await rm(work, { recursive: true, force: true });
  }
}

// The same bundle hosts the http-backend oracle in a child process (servers.ts).
if (process.argv[2] === "--oracle-child") {
  await oracleChildMain(process.argv.slice(3));
} else {
  process.exitCode = await main();
}
