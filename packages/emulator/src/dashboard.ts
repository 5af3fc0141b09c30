/**
 * The dashboard (apps/dashboard) in the standalone emulator: a second Worker on the same port,
 * routed for /cdn-cgi/artifacts/*, so the page is same-origin with the REST API (no CORS), and
 * Miniflare's /cdn-cgi/ Host and Origin checks keep other sites and rebound DNS names out.
 *
 * The operator credential reaches the page through a one-time session: a random code in the URL
 * fragment (never sent to a server, never logged), which the page trades once at
 * POST /cdn-cgi/artifacts/session for the operator token. Codes come from this process
 * (`dashboardSession()`) or from `artifacts-emulator dashboard`, which leaves a hashed code in the
 * state directory. The page then calls only the public REST API, like every other client.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { COMPATIBILITY_DATE, SERVICE_NAME } from "./service-worker.js";
import { DASHBOARD_SESSION_TTL_MS, sessionKey, type StateDir } from "./state.js";

export const DASHBOARD_PATH = "/cdn-cgi/artifacts/";
export const DASHBOARD_WORKER = "artifacts-dashboard";

/** The dashboard's Worker: the packed copy, else dist/worker.mjs of @artifacts-emulator/dashboard when built, else undefined. */
export function findDashboard(): string | undefined {
  // The published package (artifacts-emulator) ships it as dashboard/worker.mjs beside dist/.
  const packed = fileURLToPath(new URL("../dashboard/worker.mjs", import.meta.url));
  if (existsSync(packed)) return packed;
  try {
    const pkg = createRequire(import.meta.url).resolve("@artifacts-emulator/dashboard/package.json");
    const script = join(dirname(pkg), "dist", "worker.mjs");
    return existsSync(script) ? script : undefined;
  } catch {
    return undefined;
  }
}

type FetchHandler = (req: Request) => Promise<Response>;

export function dashboardWorkerOptions(scriptPath: string, session: FetchHandler) {
  return {
    name: DASHBOARD_WORKER,
    modules: true,
    modulesRoot: dirname(scriptPath),
    scriptPath,
    compatibilityDate: COMPATIBILITY_DATE,
    routes: ["*/cdn-cgi/artifacts", "*/cdn-cgi/artifacts/*"],
    serviceBindings: { API: SERVICE_NAME, SESSION: session },
  };
}

/** One-time session codes: minted in this process, or left (hashed) in the state directory by the CLI. */
export class DashboardSessions {
  private readonly issued = new Map<string, number>();
  constructor(
    private readonly state: StateDir | undefined,
    private readonly operatorToken: string,
  ) {}

  mint(ttlMs = DASHBOARD_SESSION_TTL_MS): string {
    const now = Date.now();
    for (const [k, exp] of this.issued) if (exp <= now) this.issued.delete(k);
    const code = randomBytes(32).toString("base64url");
    this.issued.set(sessionKey(code), now + ttlMs);
    return code;
  }

  take(code: string): boolean {
    const key = sessionKey(code);
    const exp = this.issued.get(key);
    if (exp !== undefined) {
      this.issued.delete(key);
      return exp > Date.now();
    }
    return this.state?.takeDashboardSession(code) ?? false;
  }

  /** The SESSION service binding: POST {"code": "..."} → {"token": operator credential}; each code works once. */
  handler(ResponseCtor: typeof Response): FetchHandler {
    const json = (status: number, body: unknown) =>
      new ResponseCtor(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } });
    return async (req) => {
      if (req.method !== "POST") return json(405, { error: "POST a session code" });
      let code: unknown;
      try {
        code = ((await req.json()) as { code?: unknown }).code;
      } catch {
        return json(400, { error: 'expected a JSON body {"code": "..."}' });
      }
      if (typeof code !== "string" || !this.take(code)) {
        return json(401, { error: "This dashboard link was already used or has expired. Run `npx artifacts-emulator dashboard` for a new one." });
      }
      return json(200, { token: this.operatorToken });
    };
  }
}
