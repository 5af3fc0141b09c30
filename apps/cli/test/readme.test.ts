/**
 * The READMEs are executable: every ```sh block of README.md and packages/emulator/README.md runs,
 * in order, in one bash (so variables set by one block are seen by the next), in a temporary
 * directory, against an emulator this test starts there. A block preceded by
 * `<!-- not-run: reason -->` is skipped; the reason is required.
 *
 * The blocks call `npx artifacts-emulator …` and `npx wrangler …`, as users do once the package is
 * published. Offline, an `npx` shim first on PATH runs this workspace's built CLI and its wrangler
 * (on the Node 22 that scripts/setup.sh installs: wrangler refuses Node 20); any other package
 * fails loudly.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, start, stop } from "./helpers.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const READMES = ["README.md", "packages/emulator/README.md"];

interface Block {
  file: string;
  line: number;
  code: string;
  notRun?: string;
}

/** The shell blocks of a markdown file, with the not-run reason of the comment just above each. */
export function shellBlocks(file: string, text: string): Block[] {
  const lines = text.split("\n");
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(sh|bash|shell)\s*$/.exec(lines[i]!);
    if (!open) {
      if (/^```/.test(lines[i]!)) for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++); // skip other fences whole
      continue;
    }
    let j = i - 1;
    while (j >= 0 && lines[j]!.trim() === "") j--;
    const marker = j >= 0 ? /^<!--\s*not-run:(.*?)-->\s*$/.exec(lines[j]!.trim()) : null;
    const body: string[] = [];
    const line = i + 1;
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    out.push({ file, line, code: body.join("\n"), ...(marker ? { notRun: marker[1]!.trim() } : {}) });
  }
  return out;
}

let tmp: string;
let emu: Awaited<ReturnType<typeof start>> | undefined;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), "readme-"));
  const bin = join(tmp, "bin");
  mkdirSync(bin);
  const wranglerDir = dirname(createRequire(join(ROOT, "packages/emulator/package.json")).resolve("wrangler/package.json"));
  const node22 = process.env.ARTIFACTS_EMULATOR_NODE22 ?? join(ROOT, ".tools/node22/bin/node");
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  writeFileSync(
    join(bin, "npx"),
    `#!/bin/sh
case "$1" in
  artifacts-emulator) shift; exec ${q(process.execPath)} ${q(CLI)} "$@" ;;
  wrangler) shift; exec ${q(existsSync(node22) ? node22 : "node")} ${q(join(wranglerDir, "bin/wrangler.js"))} "$@" ;;
  *) echo "README test: npx $1 is not available offline" >&2; exit 127 ;;
esac
`,
  );
  chmodSync(join(bin, "npx"), 0o755);
});
afterAll(async () => {
  if (emu) await stop(emu.proc);
  rmSync(tmp, { recursive: true, force: true });
});

test("every not-run marker gives a reason, and the walkthrough has its prefix variable at the top", () => {
  const blocks = READMES.flatMap((f) => shellBlocks(f, readFileSync(join(ROOT, f), "utf8")));
  for (const b of blocks) if (b.notRun !== undefined) expect(b.notRun, `${b.file}:${b.line}`).not.toBe("");
  const runnable = blocks.filter((b) => b.notRun === undefined);
  expect(runnable.length).toBeGreaterThanOrEqual(6);
  expect(runnable[0]!.code).toMatch(/^ae="npx artifacts-emulator"/);
});

test("the README's shell blocks run, in order, against a freshly started emulator", async () => {
  const env = {
    ...process.env,
    PATH: `${join(tmp, "bin")}:${process.env.PATH}`,
    HOME: join(tmp, "home"),
    ARTIFACTS_EMULATOR_PERSIST_TO: join(tmp, "project/.wrangler/state"),
    GIT_TERMINAL_PROMPT: "0",
    GIT_CONFIG_NOSYSTEM: "1",
    WRANGLER_SEND_METRICS: "false",
    NO_COLOR: "1",
  };
  mkdirSync(join(tmp, "home"));
  mkdirSync(join(tmp, "project"));
  // What the not-run `npx artifacts-emulator start` block does, on a free port.
  emu = await start(env.ARTIFACTS_EMULATOR_PERSIST_TO, ["--port", "0"]);

  const blocks = READMES.flatMap((f) => shellBlocks(f, readFileSync(join(ROOT, f), "utf8"))).filter((b) => b.notRun === undefined);
  const script = ["set -euo pipefail", ...blocks.map((b) => `echo "::block ${b.file}:${b.line}" >&2\n${b.code}`), `echo "::done" >&2`].join("\n");
  writeFileSync(join(tmp, "readme.sh"), script);
  const r = await new Promise<{ code: number; out: string }>((resolve) => {
    const p = spawn("bash", [join(tmp, "readme.sh")], { cwd: join(tmp, "project"), env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
  if (process.env.README_TEST_SHOW) console.log(r.out);
  const last = [...r.out.matchAll(/::block (\S+)/g)].pop()?.[1];
  expect(r.code, `failed in the block at ${last}:\n${r.out}`).toBe(0);
  expect(r.out).toContain("::done");
  // What the walkthrough shows: the pushed file cloned back, the refusal, the listing, the audit.
  expect(r.out).toContain("# demo");
  expect(r.out).toMatch(/remote: Artifacts token requires write scope/);
  expect(r.out).toContain("refused, as expected");
  expect(r.out).toMatch(/git\.push/);
  expect(r.out).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack traces anywhere
}, 180_000);
