// What a scratch Worker project in these tests needs to run `artifacts-emulator dev` as a user's would.
import { existsSync } from "node:fs";
import { mkdir, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The wrangler CLI needs Node >= 22.12; this repository's setup installs one (as a user would have it). */
const repoNode = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../.tools/node22/bin/node");
export const node = existsSync(repoNode) ? repoNode : process.execPath;

/** The project's own wrangler (dev runs the project's wrangler, found from its directory): this workspace's. */
export async function linkWrangler(dir: string): Promise<void> {
  await mkdir(join(dir, "node_modules"), { recursive: true });
  await symlink(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), join(dir, "node_modules", "wrangler"));
}
