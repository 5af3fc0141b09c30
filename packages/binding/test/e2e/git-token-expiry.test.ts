// An expired repo token: git says so (403, `remote: Artifacts token expired at …`) for Bearer and Basic alike.
import { afterAll, beforeAll, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { GitSandbox } from "@artifacts-emulator/git/testing/git";
import { startService, type ServiceHandle } from "../support/service.js";

// The smallest TTL is 60 s and workerd's clock cannot be moved, so the test moves the token's
// expiry in the stopped repo's SQLite file (node:sqlite needs Node 22: the one setup installs).
const NODE22 = join(dirname(fileURLToPath(import.meta.url)), "../../../../.tools/node22/bin/node");

let persist: string;
let sb: GitSandbox;
let svc: ServiceHandle | undefined;

beforeAll(async () => {
  persist = mkdtempSync(join(tmpdir(), "binding-expiry-"));
  sb = await GitSandbox.create("binding-expiry-git-");
});
afterAll(async () => {
  await svc?.close();
  await sb?.dispose();
  rmSync(persist, { recursive: true, force: true });
});

function sqliteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sqliteFiles(p) : p.endsWith(".sqlite") ? [p] : [];
  });
}

test("an expired token is refused with its expiry time in git's output", async () => {
  expect(existsSync(NODE22), `${NODE22} (installed by scripts/setup.sh)`).toBe(true);
  svc = await startService({ persistTo: persist });
  const created = await svc.artifacts.create("soon");
  const minted = await (await svc.artifacts.get("soon")).createToken("read", 60);
  // Plain copies: RPC results cannot be read once their Miniflare is gone.
  const r = { remote: created.remote };
  const tok = { id: minted.id, plaintext: minted.plaintext };
  await svc.close();
  svc = undefined;
  const past = Date.now() - 5_000;
  const script = `const { DatabaseSync } = require("node:sqlite");
for (const f of process.argv.slice(1)) {
  const db = new DatabaseSync(f);
  if (db.prepare("SELECT name FROM sqlite_master WHERE name = 'tokens'").get()) db.prepare("UPDATE tokens SET expires_at = ? WHERE id = ?").run(${past}, ${JSON.stringify(tok.id)});
  db.close();
}`;
  execFileSync(NODE22, ["--no-warnings", "-e", script, ...sqliteFiles(persist)]);

  svc = await startService({ persistTo: persist });
  const remote = r.remote.replace(/^https?:\/\/[^/]+/, svc.url);
  const basic = remote.replace("http://", `http://x:${encodeURIComponent(tok.plaintext.split("?")[0]!)}@`);
  for (const args of [
    ["-c", `http.extraHeader=Authorization: Bearer ${tok.plaintext}`, "ls-remote", remote],
    ["ls-remote", basic],
  ]) {
    const res = await sb.run(args);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`remote: Artifacts token expired at ${new Date(past).toISOString()}`);
  }
  // An unknown token is still 401 (contract: missing or unknown credential).
  const unknown = await fetch(`${remote}/info/refs?service=git-upload-pack`, { headers: { Authorization: `Bearer art_v1_${"0".repeat(40)}` } });
  expect(unknown.status).toBe(401);
  await unknown.body?.cancel();
});
