/** A small REST client for a running emulator, authenticated with the operator token. */
import { StateDir, findStateDir } from "@artifacts-emulator/emulator";
import { CliError, EXIT, usage } from "./output.js";
import { PROG } from "./args.js";

export interface Conn {
  url: string;
  token: string;
  accountId: string;
}

/**
 * The state directory for this command line (--persist-to, $ARTIFACTS_EMULATOR_PERSIST_TO, or found
 * upwards). Commands that talk to an emulator prefer one a live emulator serves; `start` does not.
 */
export function stateFor(values: Record<string, unknown>, preferLive = true): StateDir {
  return new StateDir(findStateDir(values["persist-to"] as string | undefined, process.cwd(), process.env, { preferLive }));
}

/** --url, checked before any request: an http(s) origin. */
export function checkUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw usage(`--url must be an http:// or https:// URL, not "${raw}".`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw usage(`--url must be an http:// or https:// URL, not "${raw}".`);
  return `${u.origin}${u.pathname}`.replace(/\/+$/, "");
}

export const notRunning = (state: StateDir) =>
  new CliError(
    `No running emulator found for state directory ${state.root}. Start one with \`npx ${PROG} start\`, or pass --url or --persist-to.`,
    EXIT.NOT_RUNNING,
  );

/** The emulator's URL: --url, $ARTIFACTS_EMULATOR_URL, or the live server of the state directory. */
export function emulatorUrl(values: Record<string, unknown>, state: StateDir): string {
  const given = (values.url as string | undefined) ?? process.env.ARTIFACTS_EMULATOR_URL;
  if (given) return checkUrl(given);
  const s = state.liveServer();
  if (!s) throw notRunning(state);
  return s.url.replace(/\/+$/, "");
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

export async function connect(values: Record<string, unknown>): Promise<Conn> {
  const state = stateFor(values);
  const url = emulatorUrl(values, state);
  let token: string | undefined;
  if (values["token-stdin"]) token = await readStdin();
  else if (process.env.ARTIFACTS_EMULATOR_ADMIN_TOKEN) token = process.env.ARTIFACTS_EMULATOR_ADMIN_TOKEN;
  else if (state.hasAdminToken()) token = state.adminToken();
  if (!token)
    throw new CliError(
      "No operator credential: pass it on stdin with --token-stdin, set ARTIFACTS_EMULATOR_ADMIN_TOKEN, or use the state directory the emulator runs with (--persist-to).",
      EXIT.AUTH,
    );
  return { url, token, accountId: "local" };
}

/** GET /health: true when an emulator answers at url. Sent with our probe header, so it is not logged. */
export function healthy(url: string): Promise<boolean> {
  return fetch(`${url}/health`, { headers: { "User-Agent": `${PROG}-probe` } }).then(
    async (r) => (await r.body?.cancel(), r.ok),
    () => false,
  );
}

export async function raw(c: Conn, method: string, path: string, body?: unknown): Promise<Response> {
  try {
    return await fetch(`${c.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${c.token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new CliError(
      `Cannot reach the emulator at ${c.url} (${(e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message}). Is it running? Start it with \`npx ${PROG} start\`.`,
      EXIT.NOT_RUNNING,
    );
  }
}

/** One call of the v4 REST API (under /client/v4/accounts/<id>/artifacts unless `path` starts with /client). */
export async function api<T>(c: Conn, method: string, path: string, body?: unknown): Promise<{ result: T; result_info?: Record<string, unknown> }> {
  const res = await raw(c, method, path.startsWith("/client/") ? path : `/client/v4/accounts/${c.accountId}/artifacts${path}`, body);
  const json = (await res.json().catch(() => null)) as {
    success?: boolean;
    result?: T;
    errors?: Array<{ code: number; message: string }>;
    result_info?: Record<string, unknown>;
  } | null;
  if (!json || !json.success) {
    const err = json?.errors?.[0];
    throw new CliError(
      `${err ? `${err.message} (code ${err.code})` : `HTTP ${res.status} from ${c.url}: is this an Artifacts emulator?`}`,
      res.status === 401 || res.status === 403 ? EXIT.AUTH : EXIT.ERROR,
    );
  }
  return { result: json.result as T, ...(json.result_info ? { result_info: json.result_info } : {}) };
}

/** Every page of a cursor-paged listing. */
export async function all<T>(c: Conn, path: string): Promise<T[]> {
  const out: T[] = [];
  let cursor = "";
  do {
    const sep = path.includes("?") ? "&" : "?";
    const { result, result_info } = await api<T[]>(c, "GET", `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    out.push(...result);
    cursor = String(result_info?.cursor ?? "");
  } while (cursor);
  return out;
}
