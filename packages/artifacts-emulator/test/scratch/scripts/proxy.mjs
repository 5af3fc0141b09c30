// A Node script with env.ARTIFACTS served by the emulator; the real git client clones what was pushed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getArtifactsPlatformProxy } from "artifacts-emulator/platform-proxy";
import { pushFiles } from "artifacts-emulator/testing";

const proxy = await getArtifactsPlatformProxy({ configPath: "wrangler.jsonc", persist: false });
const dir = mkdtempSync(join(tmpdir(), "scratch-proxy-"));
try {
  const repo = await proxy.env.ARTIFACTS.create("from-node");
  await pushFiles({ remote: repo.remote, token: repo.token, files: { "hello.txt": "hello from node\n" } });
  execFileSync("git", ["-c", `http.extraHeader=Authorization: Bearer ${repo.token}`, "clone", "-q", repo.remote, join(dir, "clone")], { stdio: "pipe" });
  process.stdout.write(`proxy ok: ${readFileSync(join(dir, "clone", "hello.txt"), "utf8")}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await proxy.dispose();
}
