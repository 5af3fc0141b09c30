/**
 * Reading a user's wrangler config as written (JSONC or TOML), and finding it the way wrangler
 * does (JSONC through a small comment stripper, TOML through smol-toml, the parser wrangler uses). The generated sibling config of `artifacts-emulator dev` is this raw object with the
 * `artifacts` blocks swapped (glue.ts), so nothing wrangler would normalise is lost.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseToml } from "smol-toml";

export const CONFIG_NAMES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"] as const;

/** The nearest wrangler.json / wrangler.jsonc / wrangler.toml from `cwd` upwards (wrangler's order). */
export function findWranglerConfig(cwd = process.cwd()): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    for (const n of CONFIG_NAMES) if (existsSync(join(dir, n))) return join(dir, n);
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export type RawConfig = Record<string, unknown> & { env?: Record<string, Record<string, unknown>> };

export function parseWranglerConfig(text: string, path: string): RawConfig {
  if (path.endsWith(".toml")) return parseToml(text) as RawConfig;
  let value: unknown;
  try {
    value = JSON.parse(stripJsonc(text));
  } catch (e) {
    throw new Error(`Cannot parse ${path}: ${(e as Error).message}`);
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error(`${path} does not hold a configuration object`);
  return value as RawConfig;
}

export function readWranglerConfig(path: string): RawConfig {
  return parseWranglerConfig(readFileSync(path, "utf8"), path);
}

/** JSONC → JSON: drop `//` and `/* *\/` comments and trailing commas, leaving strings untouched. */
export function stripJsonc(text: string): string {
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < n && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ",") {
      let j = i + 1;
      // Look past whitespace and comments for a closing bracket.
      for (;;) {
        while (j < n && /\s/.test(text[j]!)) j++;
        if (text[j] === "/" && text[j + 1] === "/") while (j < n && text[j] !== "\n") j++;
        else if (text[j] === "/" && text[j + 1] === "*") j = text.indexOf("*/", j + 2) < 0 ? n : text.indexOf("*/", j + 2) + 2;
        else break;
      }
      if (text[j] !== "}" && text[j] !== "]") out += c;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
