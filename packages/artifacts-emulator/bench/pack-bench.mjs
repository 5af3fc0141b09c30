// `pnpm bench` for the published package: the tarball's size, what it adds to a fresh project's
// node_modules beyond wrangler's own, `npm install` time (warm npm cache), and the dev server's ready
// time with `npx artifacts-emulator dev` beside `npx wrangler dev` with Cloudflare's own simulator, on the
// same Worker (test/scratch), in the same run, rounds alternating. Prints numbers; asserts nothing.
import { execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, lstatSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(pkgDir, "../..");
const node22Bin = join(repoRoot, ".tools", "node22", "bin");
const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 3;
const run = promisify(execFile);

const env = {};
for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|PNPM_|NODE_PATH$|INIT_CWD$|TURBO_)/i.test(k)) env[k] = v;
env.PATH = [
  ...(existsSync(node22Bin) ? [node22Bin] : []),
  ...(process.env.PATH ?? "").split(delimiter).filter((p) => p && !resolve(p).startsWith(repoRoot + "/")),
].join(delimiter);
Object.assign(env, { CI: "1", WRANGLER_SEND_METRICS: "false", npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" });

/** Bytes on disk under a directory (apparent sizes, symlinks not followed). */
function du(dir) {
  let n = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const s = lstatSync(p);
    n += s.isDirectory() ? du(p) : s.isSymbolicLink() ? 0 : s.size;
  }
  return n;
}
const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
const npmI = async (cwd, args) => {
  const t0 = performance.now();
  await run("npm", ["i", "-D", "--no-audit", "--no-fund", "--loglevel=error", ...args], { cwd, env, maxBuffer: 1 << 26 });
  return performance.now() - t0;
};
const freePort = () =>
  new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

async function readyMs(dir, args) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn("npx", ["--no-install", ...args, "--port", String(port), "--ip", "127.0.0.1", "--persist-to", join(dir, ".state")], {
    cwd: dir,
    env,
    stdio: "ignore",
    detached: true,
  });
  const exited = new Promise((r) => child.once("exit", r));
  try {
    for (;;) {
      if (performance.now() - t0 > 120_000) throw new Error(`${args.join(" ")}: not ready after 120 s`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/`)).status === 200) return performance.now() - t0;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, 10_000);
    await exited;
    clearTimeout(t);
    rmSync(join(dir, ".state"), { recursive: true, force: true });
  }
}

const work = mkdtempSync(join(tmpdir(), "artifacts-emulator-pack-bench-"));
try {
  const { stdout } = await run(process.execPath, [join(pkgDir, "scripts", "pack.mjs"), "--out", join(work, "pack")], { cwd: pkgDir, env });
  const tarball = stdout.trim();
  console.log(
    `artifacts-emulator package (wrangler ${"4.164.0"}, npm ${(await run("npm", ["--version"], { env })).stdout.trim()}, ${rounds} ready-time rounds)`,
  );
  console.log(`  tarball                          ${mb(statSync(tarball).size)}`);

  // What the package adds beyond wrangler: the same fresh project with wrangler alone, then with the tarball.
  const base = join(work, "wrangler-only");
  cpSync(join(pkgDir, "test", "scratch", "wrangler.jsonc"), join(base, "wrangler.jsonc"));
  await npmI(base, ["wrangler@4.164.0"]); // warms the npm cache for wrangler
  const wranglerOnly = du(join(base, "node_modules"));
  const addMs = await npmI(base, [tarball]);
  const withPkg = du(join(base, "node_modules"));
  console.log(`  node_modules, wrangler only      ${mb(wranglerOnly)}`);
  console.log(`  added by artifacts-emulator      ${mb(withPkg - wranglerOnly)}  (goal: < 5 MB)`);
  console.log(`  npm i -D <tarball>, wrangler already installed (warm cache)   ${(addMs / 1000).toFixed(1)} s`);

  const fresh = join(work, "fresh");
  cpSync(join(pkgDir, "test", "scratch", "wrangler.jsonc"), join(fresh, "wrangler.jsonc"));
  cpSync(join(pkgDir, "test", "scratch", "src"), join(fresh, "src"), { recursive: true });
  const freshMs = await npmI(fresh, ["wrangler@4.164.0", tarball]);
  console.log(`  npm i -D artifacts-emulator wrangler into an empty project (warm cache)   ${(freshMs / 1000).toFixed(1)} s`);

  // Ready time: the same Worker, ours vs the official simulator (wrangler's built-in artifacts binding).
  const ours = [];
  const official = [];
  for (let r = 0; r < rounds; r++) {
    const pair = r % 2 ? ["official", "ours"] : ["ours", "official"];
    for (const k of pair) {
      const ms = await readyMs(fresh, k === "ours" ? ["artifacts-emulator", "dev"] : ["wrangler", "dev"]);
      (k === "ours" ? ours : official).push(ms);
      console.log(`  round ${r + 1} ${k.padEnd(8)} ready ${ms.toFixed(0)} ms`);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `  ready (median): npx artifacts-emulator dev ${median(ours).toFixed(0)} ms, npx wrangler dev (official simulator) ${median(official).toFixed(0)} ms, ratio ${(median(ours) / median(official)).toFixed(2)} (goal ≤ 0.9)`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
