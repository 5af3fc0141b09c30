/**
 * One repository's Durable Object serving a ~200 MB repository (issue 6): push it through the
 * service's Git remote in pushes under the 100 MiB body limit, clone it whole, all with the real
 * git CLI against the built Worker in workerd (Miniflare), and measure:
 * - the workerd process's resident memory: VmRSS sampled from /proc every 25 ms, and the
 *   kernel's own peak (VmHWM, reset through /proc/<pid>/clear_refs before each phase);
 * - the largest value in each of the repo object's SQLite tables (Cloudflare refuses rows over
 *   2 MB; local workerd does not), read through the object's storageReport().
 * workerd hosts every isolate (the Worker, all Durable Objects) in one process, so its RSS is an
 * upper bound for the repo object's isolate (128 MB on Cloudflare).
 *
 *   node --experimental-websocket dist/bench-big-repo.mjs [--mb 200] [--pushes 4] [--file-kib 1024] [--keep]
 */
import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { join } from "node:path";
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { arg, freePort, packageRoot } from "./util";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";

const root = packageRoot;
const totalMb = Number(arg("mb", "200"));
const pushes = Number(arg("pushes", "4"));
const fileKib = Number(arg("file-kib", "1024"));
const ADMIN = "big-repo-admin";
const MB = 1024 * 1024;

async function workerdPid(): Promise<number> {
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const st = await readFile(`/proc/${p}/stat`, "utf8");
      const comm = st.slice(st.indexOf("(") + 1, st.lastIndexOf(")"));
      const ppid = Number(st.slice(st.lastIndexOf(")") + 2).split(" ")[1]);
      if (comm === "workerd" && ppid === process.pid) return Number(p);
    } catch {
      // the process went away
    }
  }
  throw new Error("workerd process not found");
}

const statusKb = (pid: number, field: "VmRSS" | "VmHWM") => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : NaN;
};

/**
 * The service isolate's own memory, through workerd's V8 inspector: the JS heap in use plus the
 * ArrayBuffer backing stores (where pack bytes live). This is what Cloudflare's 128 MB isolate
 * limit is about; locally the Worker and all its Durable Objects share this one isolate, so it is
 * an upper bound for the repo object. It counts garbage V8 has not collected yet (workerd's
 * inspector offers no forced GC), so it overstates live memory. (Node 20 needs
 * --experimental-websocket for WebSocket.)
 */
class IsolateHeap {
  private next = 1;
  private waiting = new Map<number, (v: { usedSize: number; backingStorageSize?: number }) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.onmessage = (m) => {
      const msg = JSON.parse(String(m.data)) as { id?: number; result?: { usedSize: number; backingStorageSize?: number } };
      if (msg.id !== undefined && msg.result) {
        this.waiting.get(msg.id)?.(msg.result);
        this.waiting.delete(msg.id);
      }
    };
  }
  static async connect(port: number, worker: string): Promise<IsolateHeap> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ id: string; webSocketDebuggerUrl: string }>;
    const t = targets.find((x) => x.id === `core:user:${worker}`) ?? targets.find((x) => x.id.endsWith(`:${worker}`));
    if (!t) throw new Error(`no inspector target for ${worker}: ${targets.map((x) => x.id).join(", ")}`);
    const ws = new WebSocket(t.webSocketDebuggerUrl);
    await new Promise((res, rej) => ((ws.onopen = res), (ws.onerror = rej)));
    return new IsolateHeap(ws);
  }
  /** Bytes: JS heap used + ArrayBuffer backing stores. */
  bytes(): Promise<number> {
    const id = this.next++;
    return new Promise((res) => {
      this.waiting.set(id, (r) => res(r.usedSize + (r.backingStorageSize ?? 0)));
      this.ws.send(JSON.stringify({ id, method: "Runtime.getHeapUsage" }));
    });
  }
  close() {
    this.ws.close();
  }
}

let heap: IsolateHeap | undefined;

/** Sample RSS (and the isolate's heap) while `fn` runs; the kernel's high-water mark is reset first and read after. */
async function watch<T>(
  pid: number,
  fn: () => Promise<T>,
): Promise<{ result: T; start: number; peakSampled: number; peakHwm: number; end: number; seconds: number; heapStart: number; heapPeak: number }> {
  let hwmReset = true;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  } catch {
    hwmReset = false;
  }
  const start = statusKb(pid, "VmRSS");
  let peak = start;
  const heapStart = heap ? await heap.bytes() : NaN;
  let heapPeak = heapStart;
  let inFlight = false;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, statusKb(pid, "VmRSS"));
    } catch {
      // sampling is best effort
    }
    if (heap && !inFlight) {
      inFlight = true;
      void heap.bytes().then((b) => ((heapPeak = Math.max(heapPeak, b)), (inFlight = false)));
    }
  }, 25);
  const t0 = performance.now();
  try {
    const result = await fn();
    const seconds = (performance.now() - t0) / 1000;
    peak = Math.max(peak, statusKb(pid, "VmRSS"));
    if (heap) heapPeak = Math.max(heapPeak, await heap.bytes());
    return { result, start, peakSampled: peak, peakHwm: hwmReset ? statusKb(pid, "VmHWM") : NaN, end: statusKb(pid, "VmRSS"), seconds, heapStart, heapPeak };
  } finally {
    clearInterval(timer);
  }
}

const mb = (n: number) => (Number.isNaN(n) ? "n/a" : `${(n / MB).toFixed(1)} MB`);

async function main() {
  // V8 in local workerd has no heap cap, so it collects lazily and garbage inflates any reading.
  // Cloudflare gives an isolate 128 MB: tell V8 the same, so GC runs as it would there (a run
  // that needed more would fail). Override with MINIFLARE_WORKERD_V8_FLAGS.
  process.env.MINIFLARE_WORKERD_V8_FLAGS ??= "--max-heap-size=128";
  console.error(`workerd V8 flags: ${process.env.MINIFLARE_WORKERD_V8_FLAGS}`);
  const persist = await mkdtemp(join(tmpdir(), "big-repo-"));
  const sb = await GitSandbox.create("big-repo-git-");
  const inspectorPort = await freePort();
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      inspectorPort,
      port: 0,
      cf: false,
      resourcePersistencePath: persist,
      workers: [
        {
          name: "artifacts",
          modules: true,
          modulesRoot: join(root, "dist"),
          scriptPath: join(root, "dist/worker.js"),
          compatibilityDate: "2026-08-01",
          compatibilityFlags: ["nodejs_compat"],
          bindings: { ADMIN_TOKEN: ADMIN, REQUEST_LOG: "off" },
          durableObjects: {
            REPO: { className: "RepoObject", useSQLite: true },
            NAMESPACE: { className: "NamespaceObject", useSQLite: true },
            ACCOUNT: { className: "AccountObject", useSQLite: true },
          },
        },
      ],
    } as never),
  );
  try {
    const url = (await mf.ready).origin;
    const pid = await workerdPid();
    const idle = statusKb(pid, "VmRSS");
    if (typeof WebSocket === "function") heap = await IsolateHeap.connect(inspectorPort, "artifacts");
    else console.error("no WebSocket (run with node --experimental-websocket): isolate heap not measured");
    const res = await fetch(`${url}/client/v4/accounts/local/artifacts/namespaces/big/repos`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ name: "big" }),
    });
    const created = ((await res.json()) as { result: { id: string; remote: string; token: string } }).result;
    const auth = ["-c", `http.extraHeader=Authorization: Bearer ${created.token}`, "-c", "http.postBuffer=1048576"];

    // The repository: random (incompressible) files, so the pack is as large as the data.
    const src = sb.path("src");
    await sb.ok(["init", "-q", src]);
    const files = Math.round((totalMb * 1024) / fileKib);
    const perPush = Math.ceil(files / pushes);
    console.error(`generating ${files} files of ${fileKib} KiB (${totalMb} MB) in ${pushes} commits`);
    const pushStats = [];
    for (let p = 0; p < pushes; p++) {
      const dir = join(src, `part-${p}`);
      await mkdir(dir, { recursive: true });
      for (let i = p * perPush; i < Math.min(files, (p + 1) * perPush); i++) await writeFile(join(dir, `blob-${i}.bin`), randomBytes(fileKib * 1024));
      await sb.ok(["add", "-A"], { cwd: src });
      await sb.ok(["commit", "-q", "-m", `part ${p}`], { cwd: src });
      const w = await watch(pid, () => sb.ok([...auth, "push", "-q", created.remote, "main"], { cwd: src, timeoutMs: 600_000 }));
      pushStats.push(w);
      console.error(`  push ${p + 1}/${pushes}: ${w.seconds.toFixed(1)} s, workerd RSS ${mb(w.start)} -> peak ${mb(Math.max(w.peakSampled, w.peakHwm || 0))}`);
    }
    const packBytes = Number((await sb.ok(["count-objects", "-v"], { cwd: src })).match(/size-pack: (\d+)/)?.[1] ?? 0) * 1024;
    const looseKb = Number((await sb.ok(["count-objects", "-v"], { cwd: src })).match(/^size: (\d+)/m)?.[1] ?? 0);

    const repoNs = await mf.getDurableObjectNamespace("REPO", "artifacts");
    const stub = repoNs.get(repoNs.idFromName(`big/${created.id}`)) as unknown as {
      storageReport(): Promise<{ largestRows: Record<string, number>; liveBytes: number; objects: number; limit: string }>;
    };
    const report = await stub.storageReport();

    const dst = sb.path("clone");
    const clone = await watch(pid, () => sb.ok([...auth, "clone", "-q", created.remote, dst], { timeoutMs: 600_000 }));
    const cloned = (await sb.ok(["rev-parse", "HEAD"], { cwd: dst })).trim() === (await sb.ok(["rev-parse", "HEAD"], { cwd: src })).trim();
    await sb.ok(["fsck", "--full"], { cwd: dst, timeoutMs: 600_000 });

    const peak = (w: { peakSampled: number; peakHwm: number }) => Math.max(w.peakSampled, Number.isNaN(w.peakHwm) ? 0 : w.peakHwm);
    console.log(`\nbig repository through one repo Durable Object (workerd via Miniflare, real git)`);
    console.log(
      `  data: ${files} random files, ${totalMb} MB in ${pushes} pushes; stored ${mb(report.liveBytes)} in ${report.objects} objects (limit ${report.limit}); client pack ${mb(packBytes + looseKb * 1024)}`,
    );
    console.log(`  workerd RSS idle ${mb(idle)}`);
    pushStats.forEach((w, i) =>
      console.log(
        `  push ${i + 1}: ${w.seconds.toFixed(1)} s (${(totalMb / pushes / w.seconds).toFixed(1)} MB/s), isolate heap ${mb(w.heapStart)} -> peak ${mb(w.heapPeak)}; workerd RSS at start ${mb(w.start)}, peak ${mb(peak(w))} (sampled ${mb(w.peakSampled)}, kernel HWM ${Number.isNaN(w.peakHwm) ? "n/a" : mb(w.peakHwm)}), after ${mb(w.end)}`,
      ),
    );
    console.log(
      `  clone: ${clone.seconds.toFixed(1)} s (${(totalMb / clone.seconds).toFixed(1)} MB/s), isolate heap ${mb(clone.heapStart)} -> peak ${mb(clone.heapPeak)}; workerd RSS at start ${mb(clone.start)}, peak ${mb(peak(clone))} (sampled ${mb(clone.peakSampled)}, kernel HWM ${Number.isNaN(clone.peakHwm) ? "n/a" : mb(clone.peakHwm)}), after ${mb(clone.end)}; same HEAD: ${cloned}, fsck clean`,
    );
    console.log(
      `  largest SQLite value per table (limit 2 MB per row): ${Object.entries(report.largestRows)
        .map(([t, n]) => `${t} ${n} B`)
        .join(", ")}`,
    );
    const over = Object.values(report.largestRows).some((n) => n > 2_000_000);
    console.log(`  rows over 2 MB: ${over ? "YES" : "none"}`);
    const heapPeak = Math.max(clone.heapPeak, ...pushStats.map((w) => w.heapPeak));
    console.log(`  isolate heap peak (JS heap + ArrayBuffers; limit 128 MB): ${mb(heapPeak)} ${heapPeak > 128 * MB ? "OVER" : "within"}`);
    if (over || !cloned) process.exitCode = 1;
  } finally {
    heap?.close();
    await mf.dispose();
    if (!process.argv.includes("--keep")) {
      await rm(persist, { recursive: true, force: true });
      await sb.dispose();
    } else console.error(`kept ${persist} and ${sb.root}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
