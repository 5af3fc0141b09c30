/**
 * On-disk state, with wrangler's conventions: everything under the state directory
 * (`.wrangler/state` by default, or --persist-to). Durable Object data lives where Miniflare puts
 * it (`v3/do`); our own files (operator token, last port, running server) under `artifacts/`.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync, chmodSync, readdirSync, renameSync, linkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:net";

export const DEFAULT_PERSIST = ".wrangler/state";
/** Overrides where the CLI looks for the state directory (like --persist-to). */
export const PERSIST_ENV = "ARTIFACTS_EMULATOR_PERSIST_TO";
const WRANGLER_CONFIGS = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/**
 * The state directory for a command run in `cwd`, found the way wrangler finds its config:
 * --persist-to, else $ARTIFACTS_EMULATOR_PERSIST_TO, else walking up from `cwd` to the nearest
 * folder with a wrangler config or a `.wrangler/state` an emulator has used (it has `artifacts/`):
 * its `.wrangler/state`. With `preferLive` (commands that talk to a running emulator), a
 * `.wrangler/state` further up that a live emulator serves wins over a nearer idle one, so the
 * CLI finds an emulator started at the project's root from any folder below it.
 */
export function findStateDir(
  persistTo?: string,
  cwd = process.cwd(),
  env: Record<string, string | undefined> = process.env,
  opts: { preferLive?: boolean } = {},
): string {
  if (persistTo) return resolve(cwd, persistTo);
  if (env[PERSIST_ENV]) return resolve(cwd, env[PERSIST_ENV]!);
  let nearest: string | undefined;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const state = join(dir, DEFAULT_PERSIST);
    const used = existsSync(join(state, "artifacts"));
    if (opts.preferLive && used && new StateDir(state).liveServer()) return state;
    if (!nearest && (used || WRANGLER_CONFIGS.some((f) => existsSync(join(dir, f))))) {
      nearest = state;
      if (!opts.preferLive) break;
    }
    if (dirname(dir) === dir) break;
  }
  return nearest ?? join(resolve(cwd), DEFAULT_PERSIST);
}

/** Another live process serves this state directory (see StateDir.lock). */
export class StateInUseError extends Error {
  readonly code = "STATE_IN_USE";
  constructor(
    readonly root: string,
    readonly pid: number,
    readonly url: string | undefined,
  ) {
    super(`An emulator already serves ${root}${url ? ` at ${url}` : ""} (pid ${pid}); stop it first, or choose another state directory with --persist-to.`);
  }
}

/** Whether a process with this id exists (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class StateDir {
  readonly root: string;
  constructor(persistTo: string = DEFAULT_PERSIST, cwd = process.cwd()) {
    this.root = resolve(cwd, persistTo);
  }
  /** Miniflare's persistence root (wrangler uses `<state>/v3`); Durable Objects go under `do/`. */
  get resourceRoot() {
    return join(this.root, "v3");
  }
  get doPersist() {
    return join(this.resourceRoot, "do");
  }
  get own() {
    return join(this.root, "artifacts");
  }
  private file(name: string) {
    return join(this.own, name);
  }
  private ensure() {
    mkdirSync(this.own, { recursive: true });
  }

  /** The operator credential: created once, readable only by the owner, never printed. */
  adminToken(): string {
    this.ensure();
    const f = this.file("admin-token");
    if (existsSync(f)) return readFileSync(f, "utf8").trim();
    const t = `adm_${randomBytes(24).toString("hex")}`;
    writeFileSync(f, t + "\n", { mode: 0o600 });
    chmodSync(f, 0o600);
    return t;
  }
  hasAdminToken() {
    return existsSync(this.file("admin-token"));
  }

  lastPort(): number | undefined {
    const f = this.file("port");
    if (!existsSync(f)) return undefined;
    const n = Number(readFileSync(f, "utf8").trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  }
  savePort(port: number) {
    this.ensure();
    writeFileSync(this.file("port"), `${port}\n`);
  }

  saveServer(info: { url: string; pid: number; startedAt: string }) {
    this.ensure();
    writeFileSync(this.file("server.json"), JSON.stringify(info, null, 2) + "\n");
  }
  server(): { url: string; pid: number; startedAt: string } | undefined {
    const f = this.file("server.json");
    if (!existsSync(f)) return undefined;
    try {
      return JSON.parse(readFileSync(f, "utf8"));
    } catch {
      return undefined;
    }
  }
  clearServer() {
    rmSync(this.file("server.json"), { force: true });
  }
  /** The server record, if its process is still alive (a crashed emulator leaves a stale one). */
  liveServer(): { url: string; pid: number; startedAt: string } | undefined {
    const s = this.server();
    return s && pidAlive(s.pid) ? s : undefined;
  }

  /**
   * One emulator per state directory: take `artifacts/lock` (created atomically with link(2),
   * holding our pid) or throw StateInUseError naming the live holder. A lock whose process is
   * gone is stale and replaced silently. Returns the release function.
   */
  lock(): () => void {
    this.ensure();
    const f = this.file("lock");
    const mine = `${f}.${process.pid}.${randomBytes(4).toString("hex")}`;
    writeFileSync(mine, `${process.pid}\n`);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          linkSync(mine, f);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 5) throw e;
        }
        const holder = Number(readFileSync(f, "utf8").trim());
        if (holder !== process.pid && pidAlive(holder)) throw new StateInUseError(this.root, holder, this.liveServer()?.url);
        rmSync(f, { force: true });
      }
    } finally {
      rmSync(mine, { force: true });
    }
    return () => {
      try {
        if (Number(readFileSync(f, "utf8").trim()) === process.pid) rmSync(f, { force: true });
      } catch {
        // already gone
      }
    };
  }

  /**
   * One-time dashboard sessions (`artifacts-emulator dashboard`): a random code goes into the URL
   * fragment the CLI prints; only its SHA-256 and expiry are stored here (owner-only). The running
   * emulator takes a code once (see takeDashboardSession) and answers with the operator
   * credential, so no stored secret is ever printed.
   */
  get dashboardSessions() {
    return join(this.own, "dashboard-sessions");
  }
  createDashboardSession(ttlMs = DASHBOARD_SESSION_TTL_MS): { code: string; expiresAt: string } {
    mkdirSync(this.dashboardSessions, { recursive: true, mode: 0o700 });
    const now = Date.now();
    for (const f of readdirSync(this.dashboardSessions)) {
      const p = join(this.dashboardSessions, f);
      try {
        if (!(Number(readFileSync(p, "utf8")) > now)) rmSync(p, { force: true });
      } catch {
        // taken meanwhile
      }
    }
    const code = randomBytes(32).toString("base64url");
    writeFileSync(join(this.dashboardSessions, sessionKey(code)), String(now + ttlMs), { mode: 0o600 });
    return { code, expiresAt: new Date(now + ttlMs).toISOString() };
  }
  /** Use a code: true once, if it was issued and has not expired. The rename makes two takers race safely. */
  takeDashboardSession(code: string): boolean {
    if (!/^[A-Za-z0-9_-]{43}$/.test(code)) return false;
    const f = join(this.dashboardSessions, sessionKey(code));
    const taken = `${f}.taken-${randomBytes(6).toString("hex")}`;
    try {
      renameSync(f, taken);
    } catch {
      return false;
    }
    const exp = Number(readFileSync(taken, "utf8"));
    rmSync(taken, { force: true });
    return exp > Date.now();
  }

  /** Remove all emulator data (repos, tokens, audit); the operator token and port are kept. */
  resetAll() {
    rmSync(this.doPersist, { recursive: true, force: true });
  }
}

/** How long a code printed by `artifacts-emulator dashboard` can be used (once). */
export const DASHBOARD_SESSION_TTL_MS = 5 * 60_000;

/** The file name a session code is stored under: its SHA-256, so the directory never holds a usable code. */
export function sessionKey(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}

export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, host, () => s.close(() => res(true)));
  });
}

/** The port to use: the one asked for, else the last one if free (remotes stay valid), else 8787 if free, else any. */
export async function choosePort(state: StateDir, host: string, asked?: number): Promise<number> {
  if (asked !== undefined) return asked;
  for (const p of [state.lastPort(), 8787]) if (p && (await portFree(p, host))) return p;
  return 0;
}

/**
 * Start a Miniflare on `port` and wait for it. When the port is one we chose (`asked` is undefined)
 * and another process binds it between our check and workerd's bind, start again on any free port:
 * the documented "else any", instead of an address-in-use failure.
 */
export async function readyOnPort<M extends { ready: Promise<URL>; dispose(): Promise<void> }>(
  port: number,
  asked: number | undefined,
  host: string,
  start: (port: number) => M,
): Promise<{ mf: M; ready: URL }> {
  const mf = start(port);
  try {
    return { mf, ready: await mf.ready };
  } catch (e) {
    if (asked !== undefined || port === 0 || (e as { code?: string }).code !== "ERR_ADDRESS_IN_USE") throw e;
    await mf.dispose().catch(() => {});
    const again = start(await freePort(host));
    return { mf: again, ready: await again.ready };
  }
}

/** Any free port on `host` (the OS picks it). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, host, () => {
      const a = s.address();
      s.close(() => res(typeof a === "object" && a ? a.port : 0));
    });
  });
}
