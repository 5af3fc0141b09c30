/**
 * Structured logs: one JSON object per line on the console, which Miniflare prints and Workers
 * Logs indexes field by field when deployed, so the same lines work in both places. Nothing that
 * is logged may carry a secret: principals are logged by id (`api-token:<id>`), paths by their
 * route template, and free text (error messages) goes through `redact` first.
 */
export type Level = "debug" | "info" | "warn" | "error";

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  // Whatever a field holds (a repo name, a path segment, an error), nothing token-shaped leaves here.
  const line = redactTokens(JSON.stringify({ level, msg, ...fields }));
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/**
 * Repo tokens (`art_v1_<hex>`, `art_v2_<kind>_<hex>`) and our API tokens (`cfat_<hex>`), in any
 * letter case, wherever they appear: a client may paste one into a repo name, a path or a query.
 */
const TOKEN_SHAPED = /art_v1_[0-9a-f]+|art_v2_[a-z]_[0-9a-f]+|cfat_[0-9a-z]+/gi;

export function redactTokens(text: string): string {
  return text.replace(TOKEN_SHAPED, "[redacted]");
}

/**
 * Anything token-shaped (repo tokens, our API tokens, Bearer and Basic credentials, passwords in
 * URLs, query strings) replaced by `[redacted]`, for text that may quote a request or a URL.
 */
export function redact(text: string): string {
  return redactTokens(text)
    .replace(/\b(bearer|basic)\s+[^\s"',;]+/gi, "$1 [redacted]")
    .replace(/(\w+:\/\/)[^/@\s"']*@/g, "$1[redacted]@")
    .replace(/(\w+:\/\/[^\s"'?#]*)\?[^\s"'#]*/g, "$1?[redacted]");
}

/** The User-Agent of the CLI's health probes. */
export const PROBE_USER_AGENT = "artifacts-emulator-probe";

/** What one HTTP request's log line says; handlers fill in what they learn (route, principal, repo). */
export interface RequestInfo {
  route?: string;
  principal?: string;
  namespace?: string;
  repo?: string;
}

/**
 * The one line per HTTP request: method, route template (never the raw path, which may hold
 * anything a client pasted), status, duration to the response head (Git responses stream after
 * it), the principal's id, and the edge's request id when there is one.
 */
export function requestLine(
  request: Request,
  info: RequestInfo,
  status: number,
  startedAt: number,
  env: { REQUEST_LOG?: string; REQUEST_LOG_FORMAT?: string },
): void {
  if (env.REQUEST_LOG === "off") return;
  const ua = request.headers.get("User-Agent");
  // The artifacts-emulator CLI's own health probes (status, readiness waits) are not news.
  if (info.route?.endsWith("/health") && ua === PROBE_USER_AGENT) return;
  // Under `wrangler dev`, wrangler logs the Git requests itself (not the /cdn-cgi/ ones): one line each.
  if (env.REQUEST_LOG === "no-git" && new URL(request.url).pathname.startsWith("/git/")) return;
  // For a terminal (`artifacts-emulator dev` on a TTY): the same facts as one short text line, like wrangler's.
  if (env.REQUEST_LOG_FORMAT === "text") {
    const where = [info.namespace, info.repo].filter((x) => x !== undefined).join("/");
    console.log(
      `[artifacts] ${request.method} ${info.route ?? "unmatched"} ${status} (${Date.now() - startedAt}ms) ${info.principal ?? "anonymous"}${where ? ` ${where}` : ""}`,
    );
    return;
  }
  log(status >= 500 ? "error" : "info", "request", {
    method: request.method,
    route: info.route ?? "unmatched",
    status,
    duration_ms: Date.now() - startedAt,
    principal: info.principal ?? "anonymous",
    ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
    ...(info.repo !== undefined ? { repo: info.repo } : {}),
    ...(request.headers.get("CF-Ray") ? { ray: request.headers.get("CF-Ray") } : {}),
    ...(ua ? { user_agent: redact(ua.slice(0, 120)) } : {}),
  });
}
