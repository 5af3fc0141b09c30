/** Output conventions (gh/wrangler style): JSON when stdout is not a terminal, errors on stderr, documented exit codes. */
export const EXIT = { OK: 0, ERROR: 1, USAGE: 2, NOT_RUNNING: 3, AUTH: 4 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.ERROR,
  ) {
    super(message);
  }
}

export type Format = "json" | "text";

export function defaultFormat(): Format {
  return process.stdout.isTTY ? "text" : "json";
}

export function print(format: Format, data: unknown, text: () => string) {
  process.stdout.write(format === "json" ? JSON.stringify(data, null, 2) + "\n" : text() + "\n");
}

export function table(rows: Array<Record<string, unknown>>, cols: string[]): string {
  if (rows.length === 0) return "(none)";
  const cell = (v: unknown) => (v === null || v === undefined ? "-" : Array.isArray(v) ? v.join(",") : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(cols.map((c) => c.toUpperCase())), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join("\n");
}
