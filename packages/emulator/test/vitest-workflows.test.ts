/**
 * The Vitest helper with Workflow triggers: runs the Workers Vitest project in
 * fixtures/pool-workflows (its own Vitest process, as a user would), whose config names a Workflow
 * in `triggers.events`; the project's test asserts that a matching event created an instance.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

it("events reach the Workflow a Workers Vitest project's config names", async () => {
  const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs");
  const child = spawn(process.execPath, [vitest, "run", "--root", join(here, "fixtures/pool-workflows")], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "1" },
  });
  let out = "";
  child.stdout.on("data", (b) => (out += b));
  child.stderr.on("data", (b) => (out += b));
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  expect(code, out).toBe(0);
  expect(out).toMatch(/1 passed/);
});
