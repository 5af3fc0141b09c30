/**
 * The service logs one JSON line per request (packages/binding util/log.ts). `start` prints each
 * on stderr: as JSON when piped or with --log-format json (for tools), as one short text line on a
 * terminal (for people). Lines that are not request lines pass through unchanged.
 */
import { paint } from "./output.js";

export function requestLogger(format: "text" | "json"): (log: { level: string; message: string }) => void {
  return ({ level, message }) => {
    const line = message.trimEnd();
    if (!line) return;
    if (format === "json") return void process.stderr.write(line.startsWith("{") ? line + "\n" : JSON.stringify({ level, msg: line }) + "\n");
    let r: Record<string, unknown> | undefined;
    try {
      r = line.startsWith("{") ? (JSON.parse(line) as Record<string, unknown>) : undefined;
    } catch {
      r = undefined;
    }
    if (!r || r.msg !== "request")
      return void process.stderr.write(
        (r ? `${String(r.level ?? level)}: ${String(r.msg ?? "")} ${JSON.stringify({ ...r, level: undefined, msg: undefined })}` : line) + "\n",
      );
    const status = Number(r.status);
    const color = status >= 500 ? "red" : status >= 400 ? "yellow" : "green";
    const time = new Date().toTimeString().slice(0, 8);
    const where = [r.namespace, r.repo].filter((x) => x !== undefined).join("/");
    process.stderr.write(
      `${paint(process.stderr, "dim", time)} ${String(r.method).padEnd(6)} ${paint(process.stderr, color, String(status))} ${String(r.route)} ${r.duration_ms}ms ${String(r.principal)}${where ? ` ${where}` : ""}\n`,
    );
  };
}
