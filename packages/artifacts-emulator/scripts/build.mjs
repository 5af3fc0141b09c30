// Builds the published package from the workspace sources: the helpers (packages/emulator/src) and
// the CLI (apps/cli/src/main.ts) bundled to plain JavaScript with esbuild, `.d.ts` types from tsc,
// and copies of the built service Worker (packages/binding) and dashboard Worker (apps/dashboard).
// wrangler, miniflare (through the user's wrangler, src/miniflare.ts) and the Vitest/Vite plugins
// stay the user's own; small libraries (smol-toml) are bundled.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const repo = join(root, "..", "..");
const emulatorSrc = join(repo, "packages", "emulator", "src");
for (const d of ["dist", "types", "worker", "dashboard"]) rmSync(join(root, d), { recursive: true, force: true });

const external = ["wrangler", "@cloudflare/vitest-plugin", "@cloudflare/vite-plugin", "vitest", "vite", "vitest/*", "vite/*"];
const node = ["index", "vitest", "platform-proxy", "vite", "harness", "testing-node"];
await build({
  absWorkingDir: root,
  entryPoints: [...node.map((n) => ({ in: join(emulatorSrc, `${n}.ts`), out: n })), { in: join(repo, "apps", "cli", "src", "main.ts"), out: "cli" }],
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  outdir: "dist",
  // Chunks beside the entries: the helpers find worker/ and dashboard/ at ../ from their own URL.
  chunkNames: "chunk-[hash]",
  outExtension: { ".js": ".mjs" },
  external,
  alias: { miniflare: join(root, "src", "miniflare.ts") },
  legalComments: "inline",
  logLevel: "warning",
});
// Runs inside workerd (Workers Vitest) as well as Node: no Node built-ins.
await build({
  absWorkingDir: root,
  entryPoints: [{ in: join(emulatorSrc, "testing.ts"), out: "testing" }],
  bundle: true,
  platform: "neutral",
  format: "esm",
  target: "es2022",
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  logLevel: "warning",
});

const require = createRequire(import.meta.url);
const copy = (pkg, from, to) => {
  const src = join(dirname(require.resolve(`${pkg}/package.json`)), from);
  if (!existsSync(src)) throw new Error(`${src} is missing: build ${pkg} first`);
  mkdirSync(dirname(join(root, to)), { recursive: true });
  copyFileSync(src, join(root, to));
};
copy("@artifacts-emulator/binding", "dist/worker.js", "worker/worker.js");
copy("@artifacts-emulator/dashboard", "dist/worker.mjs", "dashboard/worker.mjs");

execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(root, "tsconfig.types.json")], { stdio: "inherit" });
