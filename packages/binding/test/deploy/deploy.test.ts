// The service deploys unchanged to a Cloudflare account: `wrangler deploy --dry-run` must bundle it
// from its own wrangler.jsonc (Durable Objects, SQLite migrations, nodejs_compat) within the size limit.
import { expect, test } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { readFileSync } from "node:fs";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "../..");
const node22 = join(pkg, "../../.tools/node22/bin/node");
const WORKER_SIZE_LIMIT = 3 * 1024 * 1024; // Workers Free plan: 3 MB after compression

test("wrangler deploy --dry-run bundles the service within the Workers size limit", async () => {
  // Never skipped: a missing Node 22 is a setup failure, not a reason to pass.
  expect(existsSync(node22), `${node22} is missing: run bash scripts/setup.sh (the wrangler CLI needs Node >= 22)`).toBe(true);
  const out = await mkdtemp(join(tmpdir(), "deploy-"));
  const home = await mkdtemp(join(tmpdir(), "deploy-home-"));
  try {
    const r = await new Promise<{ code: number; text: string }>((resolve) => {
      const p = spawn(node22, [join(pkg, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", out], {
        cwd: pkg,
        env: { PATH: process.env.PATH, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), CI: "1", WRANGLER_SEND_METRICS: "false" },
      });
      let text = "";
      p.stdout.on("data", (d) => (text += d));
      p.stderr.on("data", (d) => (text += d));
      p.on("close", (code) => resolve({ code: code ?? -1, text }));
    });
    expect(r.code, r.text).toBe(0);
    expect(r.text).toContain("env.REPO (RepoObject)");
    expect(r.text).toContain("env.NAMESPACE (NamespaceObject)");
    expect(r.text).toContain("env.ACCOUNT (AccountObject)");
    const files = await readdir(out);
    expect(files).toContain("index.js");
    const size = (await stat(join(out, "index.js"))).size;
    const gz = gzipSync(readFileSync(join(out, "index.js"))).length;
    console.log(`deploy bundle: ${(size / 1024).toFixed(1)} KiB, gzip ${(gz / 1024).toFixed(1)} KiB`);
    expect(gz).toBeLessThan(WORKER_SIZE_LIMIT);
  } finally {
    await rm(out, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  }
});
