/**
 * Output conventions (gh/wrangler style): results on stdout (JSON when stdout is not a terminal or
 * with --format json / --json), errors on stderr as one line (a JSON object with `code` and
 * `message` under --format json), documented exit codes, colors only on a terminal without NO_COLOR.
 */
import { styleText } from "node:util";

export const EXIT = { OK: 0, ERROR: 1, USAGE: 2, NOT_RUNNING: 3, AUTH: 4, IN_USE: 5 } as const;
export const EXIT_HELP = "Exit codes: 0 ok, 1 error, 2 usage, 3 emulator not running, 4 authentication, 5 state directory in use by another emulator";

/** Stable names for the exit codes, used as `code` in JSON errors. */
const CODE_NAMES: Record<number, string> = { 1: "error", 2: "usage", 3: "not_running", 4: "auth", 5: "state_in_use" };

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.ERROR,
  ) {
    super(message);
  }
}

export const usage = (message: string) => new CliError(message, EXIT.USAGE);

export type Format = "json" | "text";

export function defaultFormat(): Format {
  return process.stdout.isTTY ? "text" : "json";
}

export function print(format: Format, data: unknown, text: () => string) {
  process.stdout.write(format === "json" ? JSON.stringify(data, null, 2) + "\n" : text() + "\n");
}

/** One line on stderr: `error: …` (red on a terminal), or {"code","message"} when JSON was asked for. */
export function printError(e: CliError, json: boolean) {
  const message = e.message.replace(/\s*\n\s*/g, " ").trim();
  if (json) process.stderr.write(JSON.stringify({ code: CODE_NAMES[e.exitCode] ?? "error", message, exit_code: e.exitCode }) + "\n");
  else process.stderr.write(`${paint(process.stderr, "red", "error:")} ${message}\n`);
}

type Color = "red" | "green" | "yellow" | "bold" | "dim" | "cyan";

export function colorsOn(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

export function paint(stream: NodeJS.WriteStream, color: Color, s: string): string {
  return colorsOn(stream) ? styleText(color, s, { validateStream: false }) : s;
}

/** For stdout text. */
export const c = (color: Color, s: string) => paint(process.stdout, color, s);

export function table(rows: Array<Record<string, unknown>>, cols: string[]): string {
  if (rows.length === 0) return "(none)";
  const cell = (v: unknown) => (v === null || v === undefined ? "-" : Array.isArray(v) ? v.join(",") : String(v));
  const widths = cols.map((col) => Math.max(col.length, ...rows.map((r) => cell(r[col]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [c("bold", line(cols.map((col) => col.toUpperCase()))), ...rows.map((r) => line(cols.map((col) => cell(r[col]))))].join("\n");
}
