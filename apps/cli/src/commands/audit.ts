/** The audit log: audit [--follow]. */
import type { Command } from "../args.js";
import { print, table, usage } from "../output.js";
import { api, connect } from "../client.js";
import { namespaceName } from "../rules.js";

const COLS = ["at", "principal", "action", "resource", "outcome", "detail"];

export const auditCommand: Command = {
  name: "audit",
  summary: "Show the audit log (newest first); --follow streams new entries",
  args: "[--namespace NS] [--since TIME] [--principal P] [--action A] [--limit N] [--follow]",
  options: {
    namespace: { type: "string", short: "n" },
    since: { type: "string" },
    principal: { type: "string" },
    action: { type: "string" },
    limit: { type: "string" },
    follow: { type: "boolean", short: "f" },
  },
  positionals: [0, 0],
  dryRun: "none",
  async run({ values, format }) {
    const ns = namespaceName(values.namespace);
    if (values.limit !== undefined && !/^[1-9]\d{0,3}$/.test(String(values.limit)))
      throw usage(`--limit must be a positive whole number, not "${String(values.limit)}".`);
    const conn = await connect(values);
    const q = new URLSearchParams();
    for (const k of ["since", "principal", "action", "limit"]) if (values[k]) q.set(k, String(values[k]));
    const path = `/namespaces/${encodeURIComponent(ns)}/audit?${q}`;
    const { result } = await api<Array<Record<string, unknown>>>(conn, "GET", path);
    if (!values.follow) return print(format, result, () => table(result, COLS));
    const show = (rows: Array<Record<string, unknown>>) =>
      format === "json" ? rows.forEach((r) => process.stdout.write(JSON.stringify(r) + "\n")) : rows.length && process.stdout.write(table(rows, COLS) + "\n");
    show([...result].reverse());
    let last = Math.max(0, ...result.map((r) => Number(r.seq)));
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const { result: more } = await api<Array<Record<string, unknown>>>(conn, "GET", path);
      const fresh = more.filter((r) => Number(r.seq) > last).reverse();
      if (fresh.length) last = Math.max(last, ...fresh.map((r) => Number(r.seq)));
      show(fresh);
    }
  },
};
