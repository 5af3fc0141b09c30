// `artifacts-emulator dashboard`: a one-time sign-in link for the dashboard `start` serves.
import { afterAll, beforeAll, expect, test } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const CLI = join(dirname(fileURLToPath(import.meta.url)), "../dist/cli.mjs");

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

let dir: string;
let proc: ChildProcess;
let info: { url: string; dashboard: string | null };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cli-dashboard-"));
  proc = spawn(process.execPath, [CLI, "start", "--format", "json", "--port", "0", "--persist-to", join(dir, "state")], { stdio: ["ignore", "pipe", "pipe"] });
  info = await new Promise((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d) => {
      out += d;
      try {
        resolve(JSON.parse(out));
      } catch {
        // not complete yet
      }
    });
    proc.stderr!.on("data", (d) => (out += d));
    proc.on("exit", (code) => reject(new Error(`start exited ${code}: ${out}`)));
  });
});

afterAll(async () => {
  if (proc && proc.exitCode === null) {
    proc.removeAllListeners("exit");
    await new Promise<void>((r) => (proc.once("exit", () => r()), proc.kill("SIGTERM")));
  }
  await rm(dir, { recursive: true, force: true });
});

const exchange = (code: string) =>
  fetch(`${info.url}/cdn-cgi/artifacts/session`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ code }) });

test("start serves the dashboard on its own port; `dashboard` prints a link that signs in once", async () => {
  expect(info.dashboard).toBe(`${info.url}/cdn-cgi/artifacts/`);
  const page = await fetch(info.dashboard!);
  expect(page.headers.get("content-type")).toMatch(/^text\/html/);

  const r = await cli(["dashboard", "--format", "json", "--persist-to", join(dir, "state")]);
  expect(r.code, r.stderr).toBe(0);
  const { url, expiresAt } = JSON.parse(r.stdout) as { url: string; expiresAt: string };
  expect(url.startsWith(`${info.dashboard}#session=`)).toBe(true);
  expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
  const code = url.split("#session=")[1]!;
  // Only the code's hash is on disk.
  const stored = await readdir(join(dir, "state", "artifacts", "dashboard-sessions"));
  expect(stored.join()).not.toContain(code);

  const first = await exchange(code);
  expect(first.status).toBe(200);
  const admin = (await readFile(join(dir, "state", "artifacts", "admin-token"), "utf8")).trim();
  expect(((await first.json()) as { token: string }).token).toBe(admin);
  expect((await exchange(code)).status).toBe(401);
  expect((await exchange("x".repeat(43))).status).toBe(401);
});

test("dashboard without a running emulator exits 3", async () => {
  const r = await cli(["dashboard", "--format", "json", "--persist-to", join(dir, "nothing")]);
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/No running emulator/);
});
