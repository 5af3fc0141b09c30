/**
 * `miniflare` for the bundle: the one the user's wrangler brings (same version as wrangler runs, and
 * nothing added to the install). The build aliases `miniflare` to this module.
 */
import { createRequire } from "node:module";
import type * as MiniflareModule from "miniflare";

function load(): typeof MiniflareModule {
  const require = createRequire(import.meta.url);
  let wranglerPkg: string;
  try {
    wranglerPkg = require.resolve("wrangler/package.json");
  } catch {
    throw new Error("artifacts-emulator needs wrangler, its peer dependency: install it with `npm i -D wrangler@^4.164.0`");
  }
  return createRequire(wranglerPkg)("miniflare") as typeof MiniflareModule;
}

const mf = load();
export const Miniflare = mf.Miniflare;
export const convertV4MiniflareOptions = mf.convertV4MiniflareOptions;
export const Response = mf.Response;
