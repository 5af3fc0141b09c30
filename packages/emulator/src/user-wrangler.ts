/**
 * `artifacts-emulator dev` runs the wrangler installed in the user's project (resolved from the
 * config's directory, as `npx wrangler` there would), under the Node that runs the CLI. Each way
 * that cannot work is one line for the user, never a stack trace.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The wrangler versions this package is tested with: its peerDependencies range (>=4.164.0 <5). */
export const WRANGLER_MIN = "4.164.0";
export const WRANGLER_MAJOR = 4;

export interface UserWrangler {
  dir: string;
  version: string;
  /** wrangler-dist/cli.js: what wrangler's bin runs in a child Node. */
  cli: string;
  /** The programmatic API module (unstable_readConfig, ...). */
  api: string;
  /** wrangler's `engines.node`, e.g. ">=22.12.0". */
  engines?: string;
}

const parts = (v: string) => (/(\d+)\.(\d+)\.(\d+)/.exec(v) ?? []).slice(1, 4).map(Number);

/** -1, 0, 1 on major.minor.patch (prerelease tags ignored). */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  return 0;
}

export function wranglerSupported(version: string): boolean {
  return compareVersions(version, WRANGLER_MIN) >= 0 && (parts(version)[0] ?? 0) === WRANGLER_MAJOR;
}

/** The project's wrangler, found from `fromDir` upwards; throws one line with the install command. */
export function findUserWrangler(fromDir: string): UserWrangler {
  const require = createRequire(join(fromDir, "package.json"));
  let pkgPath: string;
  try {
    pkgPath = require.resolve("wrangler/package.json");
  } catch {
    throw new Error(
      `wrangler is not installed in ${fromDir}: install it there with \`npm i -D wrangler@^${WRANGLER_MIN}\` (artifacts-emulator dev runs your project's own wrangler)`,
    );
  }
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string; engines?: { node?: string } };
  const dir = dirname(pkgPath);
  const cli = join(dir, "wrangler-dist", "cli.js");
  let api = cli;
  try {
    api = require.resolve("wrangler");
  } catch {
    /* not a wrangler we can run: checkWranglerVersion says so */
  }
  return { dir, version: pkg.version, cli, api, ...(pkg.engines?.node ? { engines: pkg.engines.node } : {}) };
}

/** Throws one line when the project's wrangler is outside the range this package supports. */
export function checkWranglerVersion(w: UserWrangler): void {
  if (!wranglerSupported(w.version)) {
    throw new Error(
      `wrangler ${w.version} (in ${w.dir}) is not supported: artifacts-emulator needs wrangler >=${WRANGLER_MIN} <${WRANGLER_MAJOR + 1}; install one with \`npm i -D wrangler@^${WRANGLER_MIN}\``,
    );
  }
}

/** The Node to run wrangler with: this one, when it meets wrangler's `engines.node`; else one line saying what is needed. */
export function nodeForWrangler(w: UserWrangler, version = process.versions.node): string {
  const min = w.engines && /(\d+\.\d+\.\d+)/.exec(w.engines)?.[1];
  if (min && compareVersions(version, min) < 0) {
    throw new Error(`wrangler ${w.version} needs Node.js >= ${min}, and this is Node.js v${version}: run artifacts-emulator with Node.js ${min} or newer`);
  }
  return process.execPath;
}
