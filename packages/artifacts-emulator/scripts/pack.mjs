// `node scripts/pack.mjs [--out DIR] [--dry-run-publish]`: the tarball users install. Stages the built
// files with the manifest as published (no scripts, no devDependencies: those name this workspace's
// private packages) and runs `npm pack` there. Prints the tarball's path.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { out: { type: "string" }, "dry-run-publish": { type: "boolean" } } });
const out = resolve(values.out ?? join(root, ".pack"));

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
for (const f of [...pkg.files, "README.md", "LICENSE"]) if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`pnpm build\` first`);
const { scripts: _s, devDependencies: _d, ...published } = pkg;
const text = JSON.stringify(published, null, 2);
if (text.includes("workspace:")) throw new Error("the published manifest would carry a workspace: version");

const stage = mkdtempSync(join(tmpdir(), "artifacts-emulator-pack-"));
try {
  for (const f of [...pkg.files, "README.md", "LICENSE"]) cpSync(join(root, f), join(stage, f), { recursive: true });
  writeFileSync(join(stage, "package.json"), text + "\n");
  mkdirSync(out, { recursive: true });
  const npm = (args) => execFileSync("npm", args, { cwd: stage, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false" } });
  const [info] = JSON.parse(npm(["pack", "--json", "--pack-destination", out]));
  if (values["dry-run-publish"]) npm(["publish", "--dry-run", "--access", "public"]);
  process.stdout.write(join(out, info.filename) + "\n");
} finally {
  rmSync(stage, { recursive: true, force: true });
}
