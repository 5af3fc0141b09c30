/**
 * The standalone emulator: the service Worker (REST API, Git remotes, operator routes) in one
 * workerd on a loopback port, with persistent state. Used by `artifacts-emulator start`.
 */
import type { Miniflare } from "miniflare";
import { StateDir, choosePort, readyOnPort } from "./state.js";
import { localServiceVars, serviceWorkerOptions } from "./service-worker.js";
import { DASHBOARD_PATH, dashboardWorkerOptions, DashboardSessions, findDashboard } from "./dashboard.js";

export interface EmulatorOptions {
  host?: string;
  port?: number;
  persistTo?: string;
  /** false: keep everything in memory (tests). */
  persist?: boolean;
  accountId?: string;
  vars?: Record<string, string>;
  /**
   * The dashboard's Worker script (apps/dashboard `dist/worker.mjs`), served on the same origin
   * under /cdn-cgi/artifacts/. Default: found when @artifacts-emulator/dashboard is installed
   * and built; false: no dashboard.
   */
  dashboard?: string | false;
  /**
   * Each console line of the service (one JSON request line per request, see the binding's
   * util/log.ts). Default: Miniflare prints them as they come.
   */
  onLog?: (log: { level: string; message: string }) => void;
}

export interface RunningEmulator {
  url: string;
  accountId: string;
  adminToken: string;
  state: StateDir;
  mf: Miniflare;
  restBase: string;
  /** `<url>/cdn-cgi/artifacts/`, or null when the dashboard is not served. */
  dashboardUrl: string | null;
  /** The dashboard URL with a one-time session in its fragment (opens the page as the operator). */
  dashboardSession(): string;
  close(): Promise<void>;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = opts.host ?? "127.0.0.1";
  const state = new StateDir(opts.persistTo);
  const persist = opts.persist !== false;
  // One emulator per state directory: refuse (StateInUseError) before touching server.json or the port.
  const release = persist ? state.lock() : () => {};
  try {
    return await startLocked(opts, host, state, persist, release);
  } catch (e) {
    release();
    throw e;
  }
}

async function startLocked(opts: EmulatorOptions, host: string, state: StateDir, persist: boolean, release: () => void): Promise<RunningEmulator> {
  const port = persist ? await choosePort(state, host, opts.port) : (opts.port ?? 0);
  const adminToken = persist ? state.adminToken() : `adm_${crypto.randomUUID().replace(/-/g, "")}`;
  const accountId = opts.accountId ?? "local";
  // Loaded on demand: Miniflare takes about a second to import, and most CLI commands never need it.
  const { Miniflare: MiniflareCtor, convertV4MiniflareOptions, Response: MfResponse } = await import("miniflare");
  const dashboardScript = opts.dashboard === false ? undefined : (opts.dashboard ?? findDashboard());
  const sessions = new DashboardSessions(persist ? state : undefined, adminToken);
  const start = (at: number) => {
    const vars: Record<string, string> = { ADMIN_TOKEN: adminToken, ...localServiceVars(host), ...opts.vars };
    if (at !== 0) vars.PUBLIC_ORIGIN = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${at}`;
    return new MiniflareCtor(
      convertV4MiniflareOptions({
        host,
        port: at,
        ...(opts.onLog ? { handleStructuredLogs: opts.onLog } : {}),
        ...(persist ? { resourcePersistencePath: state.resourceRoot } : {}),
        workers: [
          serviceWorkerOptions(vars),
          ...(dashboardScript ? [dashboardWorkerOptions(dashboardScript, sessions.handler(MfResponse as unknown as typeof Response))] : []),
        ],
      } as never),
    );
  };
  const { mf, ready } = await readyOnPort(port, opts.port, host, start);
  const url = ready.origin;
  if (persist) {
    state.savePort(Number(ready.port));
    state.saveServer({ url, pid: process.pid, startedAt: new Date().toISOString() });
  }
  return {
    url,
    accountId,
    adminToken,
    state,
    mf,
    restBase: `${url}/client/v4/accounts/${accountId}/artifacts`,
    dashboardUrl: dashboardScript ? `${url}${DASHBOARD_PATH}` : null,
    dashboardSession: () => {
      if (!dashboardScript) throw new Error("The dashboard is not served: build apps/dashboard (pnpm build).");
      return `${url}${DASHBOARD_PATH}#session=${sessions.mint()}`;
    },
    close: async () => {
      if (persist) state.clearServer();
      await mf.dispose();
      release();
    },
  };
}
