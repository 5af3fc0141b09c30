/** Medians, the results table and the list of failures. */

export interface Sample {
  ms: number[];
  /** peak RSS of the server's process tree during each run, bytes */
  peak: number[];
  errors: string[];
}

/** server name → op name → samples */
export type Results = Map<string, Map<string, Sample>>;

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const mib = (bytes: number) => bytes / (1024 * 1024);

const ratio = (x: number, y: number) => (Number.isFinite(x / y) ? `${(x / y).toFixed(2)}x` : "-");

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)));
  return rows.map((r) => line(r).join("   ")).join("\n");
}

/** The table: median wall time and median peak RSS per op, ours vs http-backend, plus idle RSS after start. */
export function formatTable(ops: string[], results: Results, idle: Map<string, number>, reps: number): string {
  const [a, b] = ["ours", "http-backend"];
  const ms = (s: Sample) => median(s.ms);
  const peak = (s: Sample) => mib(median(s.peak));
  const cell = (s: Sample | undefined, f: (s: Sample) => number, digits: number) =>
    !s || s.ms.length === 0 ? "error" : f(s).toFixed(digits) + (s.errors.length ? "*" : "");
  const head = [`operation (median of ${reps})`, `${a} ms`, `${b} ms`, "ours/hb"];
  const rows = [[...head, `${a} peak MiB`, `${b} peak MiB`, "ours/hb"]];
  for (const op of ops) {
    const x = results.get(a)?.get(op);
    const y = results.get(b)?.get(op);
    const both = x?.ms.length && y?.ms.length;
    rows.push([op, cell(x, ms, 0), cell(y, ms, 0), both ? ratio(ms(x), ms(y)) : "-", cell(x, peak, 1), cell(y, peak, 1), both ? ratio(peak(x), peak(y)) : "-"]);
  }
  const [ia, ib] = [idle.get(a), idle.get(b)];
  const idleCell = (v: number | undefined) => (v ? mib(v).toFixed(1) : "-");
  rows.push(["idle RSS after start", "", "", "", idleCell(ia), idleCell(ib), ia && ib ? ratio(ia, ib) : "-"]);
  const partial = [...results.values()].some((byOp) => [...byOp.values()].some((s) => s.errors.length > 0));
  return (
    table(rows) +
    "\npeak = highest RSS of the server's process tree (http-backend: Node CGI host + all its git children)." +
    (partial ? "\n* = some runs failed; the median is over the others." : "")
  );
}

export function failures(results: Results): string[] {
  return [...results].flatMap(([server, byOp]) => [...byOp].flatMap(([op, s]) => s.errors.map((e) => `${server} / ${op}: ${e}`)));
}
