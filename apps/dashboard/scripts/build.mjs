// Builds the dashboard: the page (Preact + CSS, minified, content-hashed names) and the Worker the
// emulator runs to serve it (dist/worker.mjs, with the page embedded). Prints and records sizes.
import { build } from "esbuild";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { gzipSync } from "node:zlib";
import { dirname, join, basename } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
await rm(dist, { recursive: true, force: true });
await mkdir(join(dist, "assets"), { recursive: true });

const page = await build({
  absWorkingDir: root,
  entryPoints: ["src/main.tsx"],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022", "chrome110", "firefox110", "safari16"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir: "dist/assets",
  entryNames: "app-[hash]",
  legalComments: "none",
  write: false,
  logLevel: "warning",
});

const files = {};
const sizes = {};
let jsName = "";
let cssName = "";
for (const f of page.outputFiles) {
  const name = `assets/${basename(f.path)}`;
  const type = name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
  if (name.endsWith(".js")) jsName = name;
  if (name.endsWith(".css")) cssName = name;
  files[name] = { type, body: f.text };
  sizes[name] = { bytes: f.contents.byteLength, gzip: gzipSync(f.contents, { level: 9 }).byteLength };
  await writeFile(join(dist, name), f.contents);
}
if (!jsName || !cssName) throw new Error("expected one JS and one CSS output");

const template = await readFile(join(root, "src/index.html"), "utf8");
const html = template.replace("%CSS%", `/cdn-cgi/artifacts/${cssName}`).replace("%JS%", `/cdn-cgi/artifacts/${jsName}`);
await writeFile(join(dist, "index.html"), html);
sizes["index.html"] = { bytes: Buffer.byteLength(html), gzip: gzipSync(html, { level: 9 }).byteLength };

await build({
  absWorkingDir: root,
  entryPoints: ["server/worker.ts"],
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  outfile: "dist/worker.mjs",
  logLevel: "warning",
  plugins: [
    {
      name: "assets",
      setup(b) {
        b.onResolve({ filter: /^virtual:assets$/ }, () => ({ path: "assets", namespace: "virtual" }));
        b.onLoad({ filter: /.*/, namespace: "virtual" }, () => ({ contents: `export default ${JSON.stringify({ html, files })};`, loader: "js" }));
      },
    },
  ],
});

const total = Object.values(sizes).reduce((a, s) => ({ bytes: a.bytes + s.bytes, gzip: a.gzip + s.gzip }), { bytes: 0, gzip: 0 });
await writeFile(join(dist, "sizes.json"), JSON.stringify({ ...sizes, total }, null, 2) + "\n");
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
process.stdout.write(
  `dashboard: ${Object.entries(sizes)
    .map(([k, s]) => `${k} ${kb(s.bytes)} (${kb(s.gzip)} gzip)`)
    .join(", ")}; total ${kb(total.gzip)} gzip\n`,
);
