/**
 * Load figures (issue 14): 8 concurrent clients for 60 s of mixed REST and Git against the service
 * run as `artifacts-emulator start` runs it (a child process: Node + workerd, persisted state).
 * Each client owns a repo and cycles through REST reads (list, get, log, refs), a token mint, a
 * Git ref advertisement, a push of a new commit (git CLI) and a fetch (git CLI). Prints
 * throughput, p50/p99 latency overall and per operation, errors, and the service's RSS (the whole
 * process group) before and after.
 *
 *   node dist/bench-load.mjs [--clients 8] [--seconds 60]
 */
import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { arg, packageRoot } from "./util";

const clients = Number(arg("clients", "8"));
const seconds = Number(arg("seconds", "60"));
const ADMIN = "load-bench-admin-token";

/** Resident memory of every process in the group (Linux /proc), in MiB; NaN elsewhere. */
async function groupRss(pgid: number): Promise<number> {
  let kb = 0;
  try {
    for (const pid of await readdir("/proc")) {
      if (!/^\d+$/.test(pid)) continue;
      const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) continue;
      const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    }
  } catch {
    return NaN;
  }
  return kb / 1024;
}

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);

async function main() {
  const state = await mkdtemp(join(tmpdir(), "load-bench-"));
  const sb = await GitSandbox.create("load-bench-git-");
  const child = spawn(
    process.execPath,
    [join(packageRoot, "test/support/child-service.mjs"), state, JSON.stringify({ ADMIN_TOKEN: ADMIN, REQUEST_LOG: "off" })],
    { detached: true, stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((res, rej) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) res((JSON.parse(line) as { url: string }).url);
    });
    child.once("exit", (c) => rej(new Error(`service exited ${c}`)));
  });
  const base = `${url}/client/v4/accounts/local/artifacts/namespaces/load`;
  const rest = async (path: string, init: RequestInit = {}) => {
    const r = await fetch(`${base}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json", ...(init.headers as Record<string, string>) },
    });
    const body = (await r.json()) as { success: boolean; result: any };
    if (!r.ok || !body.success) throw new Error(`${init.method ?? "GET"} ${path}: ${r.status}`);
    return body.result;
  };
  try {
    // One repo and one working copy per client, seeded with a commit.
    const setups = await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        const created = (await rest("/repos", { method: "POST", body: JSON.stringify({ name: `load-${i}` }) })) as { remote: string; token: string };
        const dir = sb.path(`c${i}`);
        await sb.ok(["init", "-q", "-b", "main", dir]);
        const g = sb.client(dir);
        await g.commit("seed", { "seed.txt": `${i}\n` }, 1);
        const auth = ["-c", `http.extraHeader=Authorization: Bearer ${created.token}`];
        await sb.ok([...auth, "push", "-q", created.remote, "main"], { cwd: dir });
        return { name: `load-${i}`, remote: created.remote, token: created.token, g, auth };
      }),
    );
    const rssBefore = await groupRss(child.pid!);
    const lat = new Map<string, number[]>();
    let errors = 0;
    const firstErrors: string[] = [];
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      setups.map(async (c, i) => {
        const ops: Array<[string, () => Promise<unknown>]> = [
          ["rest list", () => rest("/repos?per_page=20")],
          ["rest get", () => rest(`/repos/${c.name}`)],
          ["rest log", () => rest(`/repos/${c.name}/log?limit=10`)],
          ["rest refs", () => rest(`/repos/${c.name}/refs`)],
          ["rest token", () => rest("/tokens", { method: "POST", body: JSON.stringify({ repo: c.name, scope: "read" }) })],
          [
            "git info/refs",
            async () => {
              const r = await fetch(`${c.remote}/info/refs?service=git-upload-pack`, { headers: { Authorization: `Bearer ${c.token}` } });
              await r.arrayBuffer();
              if (r.status !== 200) throw new Error(`info/refs ${r.status}`);
            },
          ],
          ["git push", async () => (await c.g.commit(`n`, { [`f${i}.txt`]: `${Date.now()}\n` }, 2), await c.g.ok([...c.auth, "push", "-q", c.remote, "main"]))],
          ["git fetch", () => c.g.ok([...c.auth, "fetch", "-q", c.remote, "main"])],
        ];
        for (let n = i; Date.now() < end; n++) {
          const [kind, op] = ops[n % ops.length]!;
          const t = performance.now();
          try {
            await op();
            (lat.get(kind) ?? lat.set(kind, []).get(kind)!).push(performance.now() - t);
          } catch (e) {
            errors++;
            if (firstErrors.length < 5) firstErrors.push(`${kind}: ${(e as Error).message.slice(0, 200)}`);
          }
        }
      }),
    );
    const rssAfter = await groupRss(child.pid!);
    const all = [...lat.values()].flat();
    const f = (x: number) => x.toFixed(1);
    console.log(`load: ${clients} clients, ${seconds} s, mixed REST and Git against a child service (Node + workerd)`);
    console.log(`  operations ${all.length}, throughput ${f(all.length / seconds)} ops/s, errors ${errors}`);
    console.log(`  latency ms: p50 ${f(pct(all, 50))}, p99 ${f(pct(all, 99))}`);
    for (const [k, xs] of [...lat.entries()].sort())
      console.log(`    ${k.padEnd(14)} n=${String(xs.length).padStart(5)}  p50 ${f(pct(xs, 50)).padStart(7)}  p99 ${f(pct(xs, 99)).padStart(7)}`);
    console.log(`  service RSS MiB: before ${f(rssBefore)}, after ${f(rssAfter)}`);
    for (const e of firstErrors) console.log(`  error: ${e}`);
    if (errors > 0) process.exitCode = 1;
  } finally {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // gone already
    }
    await sb.dispose();
    await rm(state, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
