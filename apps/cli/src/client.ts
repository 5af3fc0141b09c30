/** A small REST client for a running emulator, authenticated with the operator token. */
import { StateDir } from "@artifacts-emulator/emulator";
import { CliError, EXIT } from "./output.js";

export interface Conn {
  url: string;
  token: string;
  accountId: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").trim();
}

export async function connect(opts: { persistTo?: string; url?: string; tokenStdin?: boolean; accountId?: string }): Promise<Conn> {
  const state = new StateDir(opts.persistTo);
  const url = (opts.url ?? process.env.ARTIFACTS_EMULATOR_URL ?? state.server()?.url)?.replace(/\/+$/, "");
  if (!url) throw new CliError(`No running emulator found for state directory ${state.root}. Start one with \`artifacts-emulator start\`, or pass --url.`, EXIT.NOT_RUNNING);
  let token: string | undefined;
  if (opts.tokenStdin) token = await readStdin();
  else if (process.env.ARTIFACTS_EMULATOR_ADMIN_TOKEN) token = process.env.ARTIFACTS_EMULATOR_ADMIN_TOKEN;
  else if (state.hasAdminToken()) token = state.adminToken();
  if (!token) throw new CliError("No operator credential: pass it on stdin with --token-stdin, set ARTIFACTS_EMULATOR_ADMIN_TOKEN, or use the state directory the emulator runs with (--persist-to).", EXIT.AUTH);
  return { url, token, accountId: opts.accountId ?? "local" };
}

export async function api<T>(c: Conn, method: string, path: string, body?: unknown): Promise<{ result: T; result_info?: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(`${c.url}/client/v4/accounts/${c.accountId}/artifacts${path}`, {
      method,
      headers: { Authorization: `Bearer ${c.token}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new CliError(`Cannot reach the emulator at ${c.url}: ${(e as Error).message}. Is it running?`, EXIT.NOT_RUNNING);
  }
  const json = (await res.json().catch(() => null)) as { success?: boolean; result?: T; errors?: Array<{ code: number; message: string }>; result_info?: Record<string, unknown> } | null;
  if (!json || !json.success) {
    const err = json?.errors?.[0];
    throw new CliError(`${err ? `${err.message} (code ${err.code})` : `HTTP ${res.status}`}`, res.status === 401 || res.status === 403 ? EXIT.AUTH : EXIT.ERROR);
  }
  return { result: json.result as T, ...(json.result_info ? { result_info: json.result_info } : {}) };
}
