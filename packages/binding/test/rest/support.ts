/**
 * REST tests: the built service Worker (dist/worker.js) in workerd through Miniflare 5, configured
 * as test/support/service.ts does, plus a capture of every log line (Miniflare's own and the
 * Worker's console) so tests can prove that no secret is ever logged. Requests go over real HTTP.
 */
import { Log, LogLevel, Miniflare, convertV4MiniflareOptions } from "miniflare";
import { expect } from "vitest";
import { ADMIN_TOKEN, serviceWorkerOptions } from "../support/service.js";

export { ADMIN_TOKEN };
/** The account id in v4 paths (any id is accepted when ACCOUNT_ID is unset). */
export const ACCT = "0123456789abcdef0123456789abcdef";

class CaptureLog extends Log {
  constructor(private readonly lines: string[]) {
    super(LogLevel.DEBUG);
  }
  protected override log(message: string): void {
    this.lines.push(message);
  }
}

export interface RestService {
  mf: Miniflare;
  url: string;
  /** `${url}/client/v4/accounts/${ACCT}/artifacts` */
  base: string;
  /** Every log line so far: Miniflare's (including one per request) and the Worker's console output. */
  logs: string[];
  close(): Promise<void>;
}

export async function startRest(opts: { vars?: Record<string, string>; persistTo?: string } = {}): Promise<RestService> {
  const logs: string[] = [];
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: 0,
      ...(opts.persistTo ? { resourcePersistencePath: opts.persistTo } : {}),
      cf: false,
      log: new CaptureLog(logs),
      logRequests: true,
      handleStructuredLogs: (l: { level: string; message: string }) => logs.push(`[${l.level}] ${l.message}`),
      workers: [serviceWorkerOptions(opts.vars)],
    } as never),
  );
  const url = (await mf.ready).origin;
  return { mf, url, base: `${url}/client/v4/accounts/${ACCT}/artifacts`, logs, close: () => mf.dispose() };
}

export interface Envelope<T = unknown> {
  result: T;
  success: boolean;
  errors: Array<{ code: number; message: string }>;
  messages: unknown[];
  result_info?: Record<string, unknown>;
}

export interface Res<T = any> {
  status: number;
  headers: Headers;
  body: Envelope<T>;
  text: string;
}

/** A JSON request. `token` defaults to the admin token; pass null for none. `body` objects are JSON-encoded. */
export async function call<T = any>(
  url: string,
  init: { method?: string; token?: string | null; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Res<T>> {
  const headers: Record<string, string> = { ...init.headers };
  const token = init.token === undefined ? ADMIN_TOKEN : init.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === "string" || init.body instanceof Uint8Array ? (init.body as BodyInit) : JSON.stringify(init.body);
    headers["Content-Type"] ??= "application/json";
  }
  const res = await fetch(url, { method: init.method ?? "GET", headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: Envelope<T>;
  try {
    parsed = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new Error(`${init.method ?? "GET"} ${url}: ${res.status} with a non-JSON body: ${text.slice(0, 200)}`);
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** The v4 envelope of a success: exactly these keys, success true, no errors. */
export function expectOk<T>(r: Res<T>, status = 200): T {
  if (r.status !== status || !r.body.success) throw new Error(`expected ${status} success, got ${r.status}: ${r.text}`);
  expect(
    Object.keys(r.body)
      .filter((k) => k !== "result_info")
      .sort(),
  ).toEqual(["errors", "messages", "result", "success"]);
  expect(r.body.errors).toEqual([]);
  expect(r.body.messages).toEqual([]);
  expect(r.headers.get("content-type")).toMatch(/^application\/json/);
  return r.body.result;
}

/** The v4 envelope of a failure: result null, success false, at least one numeric-coded error. */
export function expectFail(r: Res, status: number, code?: number): { code: number; message: string } {
  if (r.status !== status) throw new Error(`expected ${status}, got ${r.status}: ${r.text}`);
  expect(r.headers.get("content-type")).toMatch(/^application\/json/);
  expect(r.body.success).toBe(false);
  expect(r.body.result).toBeNull();
  expect(r.body.messages).toEqual([]);
  expect(r.body.errors.length).toBeGreaterThan(0);
  for (const e of r.body.errors) {
    expect(typeof e.code).toBe("number");
    expect(typeof e.message).toBe("string");
    expect(e.message.length).toBeGreaterThan(0);
  }
  if (code !== undefined) expect(r.body.errors[0]!.code).toBe(code);
  return r.body.errors[0]!;
}

export interface ApiTokenOpts {
  scopes?: Array<"artifacts:read" | "artifacts:write">;
  namespace?: string;
  ttl?: number;
  allow_ips?: string[];
  name?: string;
}

/** A local API token made with the admin token: `{ id, value }` (the value is shown only here). */
export async function apiToken(svc: RestService, o: ApiTokenOpts = {}): Promise<{ id: string; value: string }> {
  const r = await call(`${svc.base}/api-tokens`, { method: "POST", body: { name: o.name ?? "test", scopes: o.scopes ?? ["artifacts:write"], ...o } });
  const t = expectOk<{ id: string; value: string }>(r, 201);
  return { id: t.id, value: t.value };
}

export const repoUrl = (svc: RestService, ns: string, name = "") => `${svc.base}/namespaces/${ns}/repos${name ? `/${name}` : ""}`;

/** Create a repo over REST with the admin token; returns the create result. */
export async function createRepo(svc: RestService, ns: string, name: string, extra: Record<string, unknown> = {}) {
  return expectOk<{ id: string; name: string; description: string | null; default_branch: string; remote: string; token: string }>(
    await call(repoUrl(svc, ns), { method: "POST", body: { name, ...extra } }),
    201,
  );
}

/** The remote with the service's actual origin (remotes use the request origin, which is already it). */
export const bearerArgs = (t: string) => ["-c", `http.extraHeader=Authorization: Bearer ${t}`];
