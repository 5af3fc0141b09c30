/**
 * Scale benchmark (issue 6): does a namespace with many repos cost more per operation?
 * Fills one namespace through the binding (in workerd via Miniflare) to 100, 1,000, 10,000
 * (and 100,000 with --full) repos and, at each level, times create, get, createToken, info and a
 * list page (binding, 50 by a cursor walk) plus a REST list page sorted by last_push_at and a deep
 * REST page (?page=N), as medians and means over many sequential calls from Node. Prints a table
 * and the ratio of the medians to the first level.
 *
 *   node dist/bench-scale.mjs [--levels 100,1000,10000] [--full] [--concurrency 32] [--worker dist/worker.js]
 *
 * --worker runs another build of the service (e.g. one made from an older commit) for comparisons.
 */
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { dirname, join, resolve } from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { arg, packageRoot } from "./util";

const root = packageRoot;
const levels = (arg("levels") ?? (process.argv.includes("--full") ? "100,1000,10000,100000" : "100,1000,10000")).split(",").map(Number);
const concurrency = Number(arg("concurrency") ?? 32);
const ADMIN = "bench-admin-token";
const script = arg("worker") ? resolve(arg("worker")!) : join(root, "dist/worker.js");

type Art = {
  create(n: string): Promise<{ id: string }>;
  get(n: string): Promise<{ createToken(s: string, t: number): Promise<unknown>; info(): Promise<unknown> }>;
  list(o: { limit: number; cursor?: string }): Promise<{ cursor?: string; total: number }>;
};

/** JSRPC stubs hold resources on both sides until disposed. */
const dispose = (x: unknown) => (x as { [Symbol.dispose]?: () => void })[Symbol.dispose]?.();

interface Stat {
  median: number;
  mean: number;
}

async function main() {
  const persist = await mkdtemp(join(tmpdir(), "scale-bench-"));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      resourcePersistencePath: persist,
      cf: false,
      workers: [
        {
          name: "artifacts",
          modules: true,
          modulesRoot: dirname(script),
          scriptPath: script,
          compatibilityDate: "2026-08-01",
          compatibilityFlags: ["nodejs_compat"],
          bindings: { ADMIN_TOKEN: ADMIN, REQUEST_LOG: "off", PUBLIC_ORIGIN: "http://127.0.0.1:8787" },
          durableObjects: {
            REPO: { className: "RepoObject", useSQLite: true },
            NAMESPACE: { className: "NamespaceObject", useSQLite: true },
            ACCOUNT: { className: "AccountObject", useSQLite: true },
          },
        },
        {
          name: "consumer",
          modules: true,
          script: "export default { fetch() { return new Response('') } }",
          compatibilityDate: "2026-08-01",
          serviceBindings: { ARTIFACTS: { name: "artifacts", entrypoint: "ArtifactsBinding", props: { namespace: "scale" } } },
        },
      ],
    } as never),
  );
  await mf.ready;
  const { ARTIFACTS: art } = await mf.getBindings<{ ARTIFACTS: Art }>("consumer");
  const rest = async (path: string, retry = 2): Promise<unknown[]> => {
    let r: Awaited<ReturnType<typeof mf.dispatchFetch>>;
    try {
      r = await mf.dispatchFetch(`http://localhost/client/v4/accounts/local/artifacts/namespaces/scale${path}`, {
        headers: { Authorization: `Bearer ${ADMIN}` },
      });
    } catch (e) {
      // undici may reuse a keep-alive socket the server just closed ("other side closed"): retry.
      if (retry > 0) return rest(path, retry - 1);
      throw e;
    }
    const body = (await r.json()) as { success: boolean; result: unknown[] };
    if (!body.success) throw new Error(`REST ${path}: ${JSON.stringify(body)}`);
    return body.result;
  };
  let count = 0;
  const fill = async (target: number) => {
    const t0 = performance.now();
    const start = count;
    let next = count;
    let last = t0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < target) {
          const i = next++;
          dispose(await art.create(`fill-${i}`));
          if (i % 5000 === 0 && performance.now() - last > 30_000) {
            last = performance.now();
            console.error(`  … ${i} repos, ${((last - t0) / 1000).toFixed(0)} s`);
          }
        }
      }),
    );
    count = target;
    const n = target - start;
    if (n > 0)
      console.error(
        `  filled ${n} repos in ${((performance.now() - t0) / 1000).toFixed(1)} s (${((performance.now() - t0) / n).toFixed(2)} ms/create at concurrency ${concurrency})`,
      );
  };
  const measure = async (n: number, f: (i: number) => Promise<unknown>): Promise<Stat> => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await f(i);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return { median: times[Math.floor(n / 2)]!, mean: times.reduce((a, b) => a + b, 0) / n };
  };
  const rows: Array<{ repos: number; create: Stat; get: Stat; createToken: Stat; info: Stat; list50: Stat; restPushed: Stat; restDeepPage: Stat }> = [];
  for (const level of levels) {
    await fill(level);
    // Let the fill's objects settle (evictions, GC), then warm the paths up before timing them.
    await new Promise((r) => setTimeout(r, 2000));
    // 50 rounds, not 10: with fewer, the first level was still warming up and looked slower than the larger ones.
    for (let i = 0; i < 50; i++) {
      dispose(await art.create(`warm-${level}-${i}`));
      const h = await art.get(`fill-${i % level}`);
      dispose(await h.createToken("read", 3600));
      dispose(await h.info());
      dispose(h);
      dispose(await art.list({ limit: 50 }));
    }
    const create = await measure(50, async (i) => dispose(await art.create(`probe-${level}-${i}`)));
    const get = await measure(200, async (i) => dispose(await art.get(`fill-${(i * 7919) % level}`)));
    const handle = await art.get(`fill-${level - 1}`);
    const token = await measure(200, async () => dispose(await handle.createToken("read", 3600)));
    const info = await measure(200, async () => dispose(await handle.info()));
    let cursor: string | undefined;
    const list = await measure(100, async () => {
      const r = await art.list({ limit: 50, ...(cursor ? { cursor } : {}) });
      cursor = r.cursor;
      dispose(r);
    });
    const pushed = await measure(50, () => rest("/repos?sort=last_push_at&per_page=50"));
    const deep = Math.max(1, Math.floor(level / 50 / 2));
    const deepPage = await measure(20, () => rest(`/repos?per_page=50&page=${deep}`));
    dispose(handle);
    rows.push({ repos: level, create, get, createToken: token, info, list50: list, restPushed: pushed, restDeepPage: deepPage });
    console.error(`  level ${level} measured`);
  }
  const base = rows[0]!;
  const cols = ["create", "get", "createToken", "info", "list50", "restPushed", "restDeepPage"] as const;
  const f = (x: number) => x.toFixed(2).padStart(12);
  console.log(`\nmedian (mean) ms per call from Node (JSRPC into workerd / dispatchFetch for REST), one namespace`);
  console.log(`${"repos".padStart(8)} ${cols.map((c) => c.padStart(12)).join(" ")}`);
  for (const r of rows) console.log(`${String(r.repos).padStart(8)} ${cols.map((c) => f(r[c]!.median)).join(" ")}`);
  console.log(`means:`);
  for (const r of rows) console.log(`${String(r.repos).padStart(8)} ${cols.map((c) => f(r[c]!.mean)).join(" ")}`);
  console.log(`ratio of medians to ${base.repos} repos:`);
  for (const r of rows) console.log(`${String(r.repos).padStart(8)} ${cols.map((c) => (r[c]!.median / base[c]!.median).toFixed(2).padStart(12)).join(" ")}`);
  await mf.dispose();
  await rm(persist, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
