/**
 * Reading a user's wrangler config as written (JSONC or TOML), and finding it the way wrangler
 * does (JSONC through a small comment stripper, TOML through smol-toml, the parser wrangler uses).
 * The generated sibling config of `artifacts-emulator dev` is this raw object with the
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
  let value: unknown;
  if (path.endsWith(".toml")) {
    try {
      value = parseToml(text);
    } catch (e) {
      const t = e as Error & { line?: number; column?: number };
      throw new Error(`Cannot parse ${path}${t.line ? `:${t.line}:${t.column ?? 1}` : ""}: ${t.message.split("\n")[0]}`, { cause: e });
    }
  } else {
    try {
      value = JSON.parse(stripJsonc(text));
    } catch (e) {
      // stripJsonc keeps every offset, so JSON.parse's position is one in the file as written.
      const msg = (e as Error).message.split("\n")[0]!;
      const pos = /at position (\d+)/.exec(msg);
      const at = pos ? lineColumn(text, Number(pos[1])) : /line (\d+) column (\d+)/.exec(msg)?.slice(1).join(":");
      throw new Error(`Cannot parse ${path}${at ? `:${at}` : ""}: ${msg.replace(/ \(line \d+ column \d+\)| in JSON at position \d+/g, "")}`, { cause: e });
    }
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error(`${path} does not hold a configuration object`);
  return value as RawConfig;
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `${before.length}:${before[before.length - 1]!.length + 1}`;
}

export function readWranglerConfig(path: string): RawConfig {
  return parseWranglerConfig(readFileSync(path, "utf8"), path);
}

/**
 * JSONC → JSON: blank out `//` and `/* *\/` comments and trailing commas with spaces (newlines kept),
 * leaving strings untouched, so every offset in the result is the same as in the file.
 */
export function stripJsonc(text: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, " ");
  let out = "";
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"' && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? n : end;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (c === ",") {
      let j = i + 1;
      // Look past whitespace and comments for a closing bracket.
      for (;;) {
        while (j < n && /\s/.test(text[j]!)) j++;
        if (text[j] === "/" && text[j + 1] === "/") while (j < n && text[j] !== "\n") j++;
        else if (text[j] === "/" && text[j + 1] === "*") j = text.indexOf("*/", j + 2) < 0 ? n : text.indexOf("*/", j + 2) + 2;
        else break;
      }
      out += text[j] !== "}" && text[j] !== "]" ? c : " ";
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
