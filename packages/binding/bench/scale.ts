/**
 * Scale benchmark (issue 6): does a namespace with many repos cost more per operation?
 * Fills one namespace through the binding (in workerd via Miniflare) to 100, 1,000, 10,000
 * (and 100,000 with --full) repos and, at each level, times create, get, createToken and a list
 * page as means over many calls from Node. Prints a table and the ratio to the first level.
 *
 *   node dist/bench-scale.mjs [--levels 100,1000,10000] [--full] [--concurrency 16]
 */
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (n: string) => {
  const i = process.argv.indexOf(`--${n}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const levels = (arg("levels") ?? (process.argv.includes("--full") ? "100,1000,10000,100000" : "100,1000,10000")).split(",").map(Number);
const concurrency = Number(arg("concurrency") ?? 16);

type Art = { create(n: string): Promise<{ id: string }>; get(n: string): Promise<{ createToken(s: string, t: number): Promise<unknown>; info(): Promise<unknown> }>; list(o: { limit: number; cursor?: string }): Promise<{ cursor?: string; total: number }> };

async function main() {
  const persist = await mkdtemp(join(tmpdir(), "scale-bench-"));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      resourcePersistencePath: persist,
      workers: [
        {
          name: "artifacts",
          modules: true,
          modulesRoot: join(root, "dist"),
          scriptPath: join(root, "dist/worker.js"),
          compatibilityDate: "2026-08-01",
          compatibilityFlags: ["nodejs_compat"],
          durableObjects: { REPO: { className: "RepoObject", useSQLite: true }, NAMESPACE: { className: "NamespaceObject", useSQLite: true }, ACCOUNT: { className: "AccountObject", useSQLite: true } },
        },
        { name: "consumer", modules: true, script: "export default { fetch() { return new Response('') } }", compatibilityDate: "2026-08-01", serviceBindings: { ARTIFACTS: { name: "artifacts", entrypoint: "ArtifactsBinding", props: { namespace: "scale" } } } },
      ],
    } as never),
  );
  await mf.ready;
  const { ARTIFACTS: art } = await mf.getBindings<{ ARTIFACTS: Art }>("consumer");
  let count = 0;
  const fill = async (target: number) => {
    const t0 = performance.now();
    const start = count;
    let next = count;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < target) {
          const i = next++;
          await art.create(`fill-${i}`);
        }
      }),
    );
    count = target;
    const n = target - start;
    if (n > 0) console.error(`  filled ${n} repos in ${((performance.now() - t0) / 1000).toFixed(1)} s (${((performance.now() - t0) / n).toFixed(2)} ms/create at concurrency ${concurrency})`);
  };
  const mean = async (n: number, f: (i: number) => Promise<unknown>) => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await f(i);
    return (performance.now() - t0) / n;
  };
  const rows: Array<Record<string, number>> = [];
  for (const level of levels) {
    await fill(level);
    const created: string[] = [];
    const create = await mean(50, async (i) => {
      const name = `probe-${level}-${i}`;
      await art.create(name);
      created.push(name);
    });
    const get = await mean(200, (i) => art.get(`fill-${(i * 7919) % level}`));
    const handle = await art.get(`fill-${level - 1}`);
    const token = await mean(200, () => handle.createToken("read", 3600));
    const info = await mean(200, () => handle.info());
    let cursor: string | undefined;
    const list = await mean(100, async () => {
      const r = await art.list({ limit: 50, ...(cursor ? { cursor } : {}) });
      cursor = r.cursor;
    });
    rows.push({ repos: level, create, get, createToken: token, info, list50: list });
    console.error(`  level ${level} measured`);
  }
  const base = rows[0]!;
  const f = (x: number) => x.toFixed(2).padStart(8);
  console.log(`\nmean ms per call from Node (JSRPC into workerd), one namespace`);
  console.log(`${"repos".padStart(8)} ${"create".padStart(8)} ${"get".padStart(8)} ${"token".padStart(8)} ${"info".padStart(8)} ${"list50".padStart(8)}   ratio vs ${base.repos} (create/get/token/list)`);
  for (const r of rows)
    console.log(`${String(r.repos).padStart(8)} ${f(r.create!)} ${f(r.get!)} ${f(r.createToken!)} ${f(r.info!)} ${f(r.list50!)}   ${(r.create! / base.create!).toFixed(2)} / ${(r.get! / base.get!).toFixed(2)} / ${(r.createToken! / base.createToken!).toFixed(2)} / ${(r.list50! / base.list50!).toFixed(2)}`);
  await mf.dispose();
  await rm(persist, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
