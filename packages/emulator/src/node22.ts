/**
 * The wrangler 4.164 CLI refuses Node < 22.12 ("requires at least Node.js v22.12.0"), while the
 * project's machines start with Node 20. Find a Node it accepts: $ARTIFACTS_EMULATOR_NODE22, else
 * the project-local `.tools/node22/bin/node` (installed by scripts/setup.sh) found upwards from the
 * current directory or this package, else this Node or the `node` on PATH when new enough.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
export const MIN_NODE = [22, 12] as const;

export function versionOk(v: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(v.trim());
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj > MIN_NODE[0] || (maj === MIN_NODE[0] && min >= MIN_NODE[1]);
}

function upwards(from: string, rel: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const p = join(dir, rel);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

async function versionOf(bin: string): Promise<string | undefined> {
  try {
    return (await run(bin, ["--version"], { timeout: 10_000 })).stdout.trim();
  } catch {
    return undefined;
  }
}

/** Absolute path (or command name) of a Node >= 22.12; throws with the ways to get one. */
export async function findNode22(opts: { cwd?: string; packageDir?: string } = {}): Promise<string> {
  const fromEnv = process.env.ARTIFACTS_EMULATOR_NODE22;
  if (fromEnv) {
    const v = await versionOf(fromEnv);
    if (v && versionOk(v)) return fromEnv;
    throw new Error(`ARTIFACTS_EMULATOR_NODE22=${fromEnv} is not a Node >= ${MIN_NODE.join(".")} (${v ?? "does not run"})`);
  }
  const rel = join(".tools", "node22", "bin", "node");
  for (const start of [opts.cwd ?? process.cwd(), opts.packageDir]) {
    const p = start && upwards(start, rel);
    if (p) {
      const v = await versionOf(p);
      if (v && versionOk(v)) return p;
    }
  }
  if (versionOk(process.version)) return process.execPath;
  const v = await versionOf("node");
  if (v && versionOk(v)) return "node";
  throw new Error(
    `The wrangler CLI needs Node >= ${MIN_NODE.join(".")} (this is ${process.version}). Run \`bash scripts/setup.sh\` in the artifacts-emulator checkout (it installs .tools/node22), or set ARTIFACTS_EMULATOR_NODE22 to a Node 22 binary.`,
  );
}
