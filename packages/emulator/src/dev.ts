/**
 * `artifacts-emulator dev [wrangler dev args]`: the real `wrangler dev`, as a multi-config session
 * (one workerd) of the user's Worker — through a generated sibling config whose `artifacts`
 * bindings are service bindings to our entrypoint — and the Artifacts service Worker. The user's
 * config file is never edited, so `wrangler types` and deploys keep seeing `artifacts`.
 */
import { localServiceVars } from "./service-worker.js";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { constants } from "node:os";
import { get as httpGet } from "node:http";
import { get as httpsGet } from "node:https";
import { unwatchFile, watchFile } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { checkWranglerVersion, findUserWrangler, nodeForWrangler, WRANGLER_MIN } from "./user-wrangler.js";
import { findWranglerConfig, readWranglerConfig } from "./wrangler-config.js";
import { generateDevFiles, ignoreSibling, REST_PREFIX, type DevFiles } from "./dev-files.js";
import { StateDir, choosePort, freePort } from "./state.js";
import type { ArtifactsBindingConfig } from "./glue.js";
import type { RawConfig } from "./wrangler-config.js";

/** wrangler dev flags that take a value (so the next word is not the `script` positional). */
const VALUE_FLAGS = new Set([
  "config",
  "c",
  "cwd",
  "env",
  "e",
  "env-file",
  "profile",
  "name",
  "compatibility-date",
  "compatibility-flags",
  "compatibility-flag",
  "assets",
  "ip",
  "port",
  "inspector-port",
  "inspector-ip",
  "routes",
  "route",
  "host",
  "local-protocol",
  "https-key-path",
  "https-cert-path",
  "local-upstream",
  "upstream-protocol",
  "var",
  "define",
  "alias",
  "jsx-factory",
  "jsx-fragment",
  "tsconfig",
  "persist-to",
  "log-level",
  "tunnel-name",
  "tunnel-allowed-mail",
  "site",
  "site-include",
  "site-exclude",
  "artifacts-webhook",
]);

export interface DevArgs {
  /** Arguments passed on to `wrangler dev` (without -c/--config, the script positional and ours). */
  passthrough: string[];
  config?: string | undefined;
  script?: string;
  env?: string | undefined;
  port?: number;
  ip?: string | undefined;
  cwd?: string | undefined;
  persistTo?: string | undefined;
  localProtocol?: string | undefined;
  /** Ours: URLs (or paths on the dev server) that get `cf.artifacts.repo.*` event envelopes. */
  webhooks: string[];
  help: boolean;
}

export function parseDevArgs(argv: string[]): DevArgs {
  const out: DevArgs = { passthrough: [], webhooks: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.passthrough.push(...argv.slice(i));
      break;
    }
    if (!a.startsWith("-")) {
      if (out.script === undefined) out.script = a;
      else out.passthrough.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.replace(/^--?/, "").slice(0, eq > 0 ? eq - (a.startsWith("--") ? 2 : 1) : undefined);
    let value: string | undefined;
    let raw = [a];
    if (eq > 0) value = a.slice(eq + 1);
    else if (VALUE_FLAGS.has(name) && i + 1 < argv.length) {
      value = argv[++i]!;
      raw = [a, value];
    }
    switch (name) {
      case "config":
      case "c":
        out.config = value;
        continue; // replaced by our two -c
      case "artifacts-webhook":
        if (value) out.webhooks.push(value);
        continue;
      case "help":
      case "h":
        out.help = true;
        break;
      case "env":
      case "e":
        out.env = value;
        break;
      case "port":
        out.port = Number(value);
        continue; // we always pass the port we chose (0 = any free one, chosen here so remotes know it)
      case "ip":
        out.ip = value;
        break;
      case "cwd":
        out.cwd = value;
        break;
      case "persist-to":
        out.persistTo = value;
        break;
      case "local-protocol":
        out.localProtocol = value;
        break;
    }
    out.passthrough.push(...raw);
  }
  return out;
}

export const DEV_HELP = `usage: npx artifacts-emulator dev [wrangler dev options] [--artifacts-webhook URL|/path]...

Runs your project's own \`wrangler dev\` (wrangler >= ${WRANGLER_MIN}, under this Node) on your unchanged config, with
every \`artifacts\` binding served by the local Artifacts emulator in the same workerd. Git remotes and the
REST API answer on the dev server's own port:
  Git remotes  http://127.0.0.1:<port>/git/<namespace>/<repo>.git
  REST API     http://127.0.0.1:<port>${REST_PREFIX}/client/v4/accounts/local/artifacts
All wrangler dev options work (--env, --port, --ip, --persist-to, --var, ...). Repos persist under the
state directory (.wrangler/state next to the config, or --persist-to); the port is kept across restarts.

Options of our own:
  --artifacts-webhook URL   POST every cf.artifacts.repo.* event envelope to URL (repeatable);
                            a path such as /webhooks/artifacts means that path on the dev server

Generated files (git-ignored through .git/info/exclude): .wrangler.artifacts-dev.json next to your config,
and .wrangler/artifacts-dev/. A config with no local \`artifacts\` binding runs plain wrangler dev; a binding
with "remote": true is left to wrangler (the deployed service). wrangler's local trace store is off unless you
set X_LOCAL_OBSERVABILITY=true (it records every storage call and slows Git pushes down several times).`;

/** Where this package lives (works from src/ and from a bundle such as the CLI's). */
export function emulatorPackageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve("@artifacts-emulator/emulator/package.json"));
}

/** The wrangler installed for `fromDir` (the user's project; default the current directory). */
export function wranglerPaths(fromDir = process.cwd()): { dir: string; bin: string; cli: string; api: string } {
  const w = findUserWrangler(fromDir);
  return { dir: w.dir, bin: join(w.dir, "bin", "wrangler.js"), cli: w.cli, api: w.api };
}

interface ResolvedUserConfig {
  main: string;
  /** The bindings the emulator serves (those without `remote: true`). */
  artifacts: ArtifactsBindingConfig[];
  /** Bindings with `remote: true`: left to wrangler. */
  remote: string[];
  devPort?: number;
  devIp?: string;
  localProtocol?: string;
}

function splitArtifacts(list: ArtifactsBindingConfig[]): { artifacts: ArtifactsBindingConfig[]; remote: string[] } {
  return {
    artifacts: list.filter((a) => !a.remote).map((a) => ({ binding: a.binding, namespace: a.namespace })),
    remote: list.filter((a) => a.remote).map((a) => a.binding),
  };
}

type ReadConfig = (
  args: { config: string; env?: string; script?: string },
  opts: { hideWarnings?: boolean },
) => {
  main?: string;
  artifacts?: Array<{ binding: string; namespace: string; remote?: boolean }>;
  dev?: { port?: number; ip?: string; local_protocol?: string };
};

let readConfigFn: ReadConfig | undefined;
async function loadReadConfig(): Promise<ReadConfig> {
  if (!readConfigFn) {
    const mod = (await import(pathToFileURL(wranglerPaths(process.cwd()).api).href)) as {
      unstable_readConfig?: ReadConfig;
      default?: { unstable_readConfig?: ReadConfig };
    };
    readConfigFn = mod.unstable_readConfig ?? mod.default?.unstable_readConfig;
    if (!readConfigFn) throw new Error("this wrangler has no unstable_readConfig");
  }
  return readConfigFn;
}

/** Per-environment facts through wrangler's own reader (unstable_readConfig): the authority. */
export async function resolveUserConfig(configPath: string, env: string | undefined, script: string | undefined): Promise<ResolvedUserConfig> {
  const readConfig = await loadReadConfig();
  const c = readConfig({ config: configPath, ...(env ? { env } : {}), ...(script ? { script } : {}) }, { hideWarnings: true });
  if (!c.main)
    throw new Error(`${configPath} has no "main": artifacts-emulator dev needs a Worker entry module (an assets-only project has no Worker to bind).`);
  return {
    main: resolve(dirname(configPath), c.main),
    ...splitArtifacts(c.artifacts ?? []),
    ...(c.dev?.port ? { devPort: c.dev.port } : {}),
    ...(c.dev?.ip ? { devIp: c.dev.ip } : {}),
    ...(c.dev?.local_protocol ? { localProtocol: c.dev.local_protocol } : {}),
  };
}

/**
 * resolveUserConfig in a short-lived Node process: wrangler's API is 15 MB of JavaScript, and
 * loading it would keep ~200 MB in the wrapper for the whole session and compete with wrangler for
 * CPU while it starts. Used off the critical path (after ready, and after each config change).
 */
export function resolveUserConfigIsolated(configPath: string, env: string | undefined, script: string | undefined): Promise<ResolvedUserConfig> {
  const code = `const m = await import(${JSON.stringify(pathToFileURL(wranglerPaths(dirname(configPath)).api).href)});
const read = m.unstable_readConfig ?? m.default.unstable_readConfig;
const c = read(${JSON.stringify({ config: configPath, ...(env ? { env } : {}), ...(script ? { script } : {}) })}, { hideWarnings: true });
process.stdout.write(JSON.stringify({ main: c.main, artifacts: c.artifacts ?? [], dev: c.dev ?? {} }));`;
  return new Promise((res, rej) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", code],
      { cwd: dirname(configPath), maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err) return rej(new Error(stderr.trim().split("\n").slice(-3).join(" ") || err.message));
        try {
          const c = JSON.parse(stdout) as { main?: string; artifacts: ArtifactsBindingConfig[]; dev: { port?: number; ip?: string; local_protocol?: string } };
          if (!c.main) throw new Error(`${configPath} has no "main"`);
          res({
            main: resolve(dirname(configPath), c.main),
            ...splitArtifacts(c.artifacts),
            ...(c.dev.port ? { devPort: c.dev.port } : {}),
            ...(c.dev.ip ? { devIp: c.dev.ip } : {}),
            ...(c.dev.local_protocol ? { localProtocol: c.dev.local_protocol } : {}),
          });
        } catch (e) {
          rej(e as Error);
        }
      },
    );
  });
}

/**
 * The same facts from the raw config with wrangler's inheritance rules (`main` and `dev` inherit,
 * `artifacts` does not). Loading wrangler's API costs 1–3 s on Node 20, so startup uses this and
 * checks it against unstable_readConfig in a short-lived process once wrangler is ready (regenerating if they differ).
 */
export function resolveRawConfig(configPath: string, raw: RawConfig, env: string | undefined, script: string | undefined): ResolvedUserConfig {
  const block = env ? raw.env?.[env] : undefined;
  if (env && !block) throw new Error(`No environment "${env}" in ${configPath}.`);
  const main = script ?? (block?.main as string | undefined) ?? (raw.main as string | undefined);
  if (!main) throw new Error(`${configPath} has no "main": artifacts-emulator dev needs a Worker entry module (an assets-only project has no Worker to bind).`);
  const artifacts = ((env ? block?.artifacts : raw.artifacts) as ArtifactsBindingConfig[] | undefined) ?? [];
  const dev = ((block?.dev ?? raw.dev) as { port?: number; ip?: string; local_protocol?: string } | undefined) ?? {};
  return {
    main: resolve(dirname(configPath), main),
    ...splitArtifacts(artifacts),
    ...(dev.port ? { devPort: dev.port } : {}),
    ...(dev.ip ? { devIp: dev.ip } : {}),
    ...(dev.local_protocol ? { localProtocol: dev.local_protocol } : {}),
  };
}

const sameFacts = (a: ResolvedUserConfig, b: ResolvedUserConfig) =>
  a.main === b.main && JSON.stringify([a.artifacts, a.remote]) === JSON.stringify([b.artifacts, b.remote]);

/** One GET with node:http(s) (not fetch: loading undici would add ~10 MB to a wrapper that idles). */
function healthy(url: string): Promise<boolean> {
  return new Promise((res) => {
    const get = url.startsWith("https:") ? httpsGet : httpGet;
    const req = get(url, { timeout: 2000, rejectUnauthorized: false, headers: { "User-Agent": "artifacts-emulator-probe" } }, (r) => {
      r.resume();
      res(r.statusCode === 200);
    });
    req.on("error", () => res(false));
    req.on("timeout", () => req.destroy());
  });
}

/**
 * Offline, Miniflare cannot fetch the `Request.cf` data and prints a warning with a stack trace,
 * then uses its placeholder. When the name does not resolve, ask for the placeholder directly.
 * A slow resolver counts as online (the default); the user's own setting always wins.
 */
async function offlineCfEnv(): Promise<Record<string, string>> {
  if (process.env.CLOUDFLARE_CF_FETCH_ENABLED !== undefined || process.env.CLOUDFLARE_CF_FETCH_PATH !== undefined) return {};
  const { lookup } = await import("node:dns/promises");
  const online = await Promise.race([
    lookup("workers.cloudflare.com").then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((r) => setTimeout(() => r(true), 1000).unref()),
  ]);
  return online ? {} : { CLOUDFLARE_CF_FETCH_ENABLED: "false" };
}

/**
 * wrangler's environment for the session; the user's own settings always win. No telemetry unless
 * asked for. Local observability (wrangler's trace store, X_LOCAL_OBSERVABILITY) is off by default:
 * it records a span for every storage call of every Worker in the session, which made a Git push
 * through dev 4x slower and doubled the state on disk (docs/contract-choices.md, "Local
 * observability under artifacts-emulator dev").
 */
export function wranglerEnv(env: NodeJS.ProcessEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { WRANGLER_SEND_METRICS: "false", X_LOCAL_OBSERVABILITY: "false", ...extra, ...env };
}

export interface DevSession {
  child: ChildProcess;
  origin: string;
  files: DevFiles;
  exited: Promise<number>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
}

export interface StartDevOptions {
  /** Where to write our one startup line (default: stdout). */
  log?: (line: string) => void;
  stdio?: "inherit" | "pipe";
  /**
   * Run wrangler in its own process group, so `stop()` ends it and everything it started (its Node
   * child, esbuild, workerd) even if wrangler hangs. Default: true with piped stdio; with a terminal
   * it stays in ours, so Ctrl+C and wrangler's hotkeys work.
   */
  detached?: boolean;
  /** The Node binary that runs wrangler (default: this one, when it meets wrangler's `engines.node`). */
  node?: string;
}

/** Starts `wrangler dev` for the arguments; resolves once the child is spawned (not yet ready). */
export async function startDev(argv: string[], o: StartDevOptions = {}): Promise<DevSession> {
  const args = parseDevArgs(argv);
  const log = o.log ?? ((l: string) => process.stdout.write(l + "\n"));
  const cwd = resolve(args.cwd ?? process.cwd());
  const configPath = args.config ? resolve(cwd, args.config) : findWranglerConfig(cwd);
  if (!configPath) throw new Error(`No wrangler.json, wrangler.jsonc or wrangler.toml found from ${cwd} upwards; pass -c <config>.`);
  const configDir = dirname(configPath);
  const env = args.env ?? (process.env.CLOUDFLARE_ENV || undefined);
  const script = args.script ? resolve(cwd, args.script) : undefined;
  const userWrangler = findUserWrangler(configDir);
  checkWranglerVersion(userWrangler);
  const node = o.node ?? nodeForWrangler(userWrangler);

  const raw0 = readWranglerConfig(configPath);
  let user = resolveRawConfig(configPath, raw0, env, script);
  for (const b of user.remote) note(remoteNote(b, configPath));
  const state = args.persistTo ? new StateDir(args.persistTo, cwd) : new StateDir(".wrangler/state", configDir);
  const release = state.lock(); // one emulator per state directory (StateInUseError otherwise)
  const protocol = args.localProtocol ?? user.localProtocol ?? "http";
  const ip = args.ip ?? user.devIp ?? "localhost";
  const originHost = ip === "localhost" || ip === "0.0.0.0" || ip === "*" || ip === "::" ? "127.0.0.1" : ip.includes(":") ? `[${ip}]` : ip;
  const checkHost = originHost.startsWith("[") ? ip : originHost;
  let port = await choosePort(state, checkHost, args.port ?? user.devPort);
  if (!port) port = await freePort(checkHost);
  const passthrough = [...args.passthrough, "--port", String(port)];
  const origin = `${protocol}://${originHost}:${port}`;
  const webhooks = args.webhooks.map((w) => (w.startsWith("/") ? `${origin}${w}` : w));

  // wrangler logs Git requests (not /cdn-cgi/ ones) already: the service's own line would be a second one.
  const vars: Record<string, string> = {
    PUBLIC_ORIGIN: origin,
    REQUEST_LOG: "no-git",
    ...localServiceVars(ip),
    IMPORT_ALLOW_ADDRESSES: "loopback",
    ...(o.stdio !== "pipe" && process.stdout.isTTY ? { REQUEST_LOG_FORMAT: "text" } : {}),
    ...(webhooks.length ? { EVENT_WEBHOOK_URLS: webhooks.join(",") } : {}),
  };
  const secrets = { ADMIN_TOKEN: state.adminToken() };
  const write = (raw: RawConfig, u: ResolvedUserConfig) => generateDevFiles({ userConfigPath: configPath, raw, userMain: u.main, env, vars, secrets });
  // wrangler's reader is the authority on per-environment bindings: check the fast path against it.
  const check = () =>
    resolveUserConfigIsolated(configPath, env, script).then(
      (checked) => {
        if (!sameFacts(checked, user)) {
          if (process.env.ARTIFACTS_EMULATOR_DEBUG)
            log(`[artifacts-emulator] debug: wrangler resolved ${JSON.stringify(checked)}, fast path ${JSON.stringify(user)}`);
          user = checked;
          write(readWranglerConfig(configPath), user);
        }
      },
      (e: Error) => log(`[artifacts-emulator] unstable_readConfig: ${e.message}`),
    );
  const generate = async () => {
    const raw = readWranglerConfig(configPath);
    user = resolveRawConfig(configPath, raw, env, script);
    write(raw, user);
    await check();
  };
  const files = write(raw0, user);
  ignoreSibling(configDir);

  // Regenerate the sibling when the user's config changes; wrangler watches the sibling and reloads.
  let regenerating = Promise.resolve();
  const onChange = () => {
    regenerating = regenerating.then(generate).then(
      () => undefined,
      (e: Error) => log(`[artifacts-emulator] could not apply the change to ${configPath}: ${e.message}`),
    );
  };
  watchFile(configPath, { interval: 300 }, onChange);

  const cfEnv = await offlineCfEnv();
  const wrangler = userWrangler;
  const detached = o.detached ?? o.stdio === "pipe";
  // What wrangler's bin/wrangler.js does (`node --no-warnings wrangler-dist/cli.js …` with an IPC
  // channel), without its extra Node process: this wrapper takes that role.
  const child = spawn(node, ["--no-warnings", wrangler.cli, "dev", "-c", files.sibling, "-c", files.serviceConfig, ...passthrough], {
    cwd,
    stdio: o.stdio === "pipe" ? ["pipe", "pipe", "pipe", "ipc"] : ["inherit", "inherit", "inherit", "ipc"],
    env: wranglerEnv(process.env, cfEnv),
    detached,
  });
  const signalAll = (sig: NodeJS.Signals) => {
    try {
      if (detached && child.pid) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      /* gone */
    }
  };
  // If this process goes away without stopping the session, do not leave wrangler behind.
  const onExit = () => signalAll("SIGTERM");
  process.once("exit", onExit);
  state.savePort(port);

  let ready = false;
  const exited = new Promise<number>((res) => {
    child.once("exit", (code, signal) => {
      unwatchFile(configPath, onChange);
      process.off("exit", onExit);
      if (ready) state.clearServer();
      release();
      res(code ?? (signal ? 128 + (constants.signals[signal] ?? 1) : 1));
    });
    child.once("error", (e) => {
      log(`[artifacts-emulator] cannot run wrangler: ${e.message}`);
      res(1);
    });
  });

  // One startup line, once the service answers through the user's Worker: the remote prefix, never a token.
  void (async () => {
    const started = Date.now();
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      const ok = await healthy(`${origin}${REST_PREFIX}/health`);
      if (ok) {
        ready = true;
        state.saveServer({ url: `${origin}${REST_PREFIX}`, pid: process.pid, startedAt: new Date().toISOString() });
        const names = user.artifacts.map((a) => `${a.binding} → namespace "${a.namespace}"`).join(", ") || "no artifacts bindings in this config";
        const ns = user.artifacts[0]?.namespace ?? "<namespace>";
        regenerating = regenerating.then(check);
        log(
          `[artifacts-emulator] ready in ${Date.now() - started} ms: Git remotes at ${origin}/git/${ns === "<namespace>" ? ns : encodeURIComponent(ns)}/<repo>.git (${names}); REST API at ${origin}${REST_PREFIX}/client/v4`,
        );
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  return {
    child,
    origin,
    files,
    exited,
    async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) signalAll(signal);
      const timer = setTimeout(() => signalAll("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      if (detached) signalAll("SIGKILL"); // anything of the group still around
      return code;
    },
  };
}

const note = (line: string) => process.stderr.write(line + "\n");
const remoteNote = (binding: string, configPath: string) =>
  `[artifacts-emulator] ${binding} in ${configPath} has "remote": true: left to wrangler (the deployed Artifacts service), not emulated`;

/** The `artifacts` bindings of the selected environment (`artifacts` is not inherited by environments). */
function artifactsOf(raw: RawConfig, configPath: string, env: string | undefined): ArtifactsBindingConfig[] {
  const block = env ? raw.env?.[env] : raw;
  if (env && !block) throw new Error(`No environment "${env}" in ${configPath}.`);
  return (block?.artifacts as ArtifactsBindingConfig[] | undefined) ?? [];
}

/** Our own flags out, everything else as the user wrote it: for a plain `wrangler dev`. */
function withoutOurFlags(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      out.push(...argv.slice(i));
      break;
    }
    if (a === "--artifacts-webhook") i++;
    else if (!a.startsWith("--artifacts-webhook=")) out.push(a);
  }
  return out;
}

/** Run a child until it exits, with Ctrl+C and SIGTERM forwarded to it. */
async function runForwarding(child: ChildProcess, exited: Promise<number>): Promise<number> {
  const forward = (sig: NodeJS.Signals) => () => {
    if (child.exitCode === null) child.kill(sig);
  };
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  const code = await exited;
  process.off("SIGINT", onInt);
  process.off("SIGTERM", onTerm);
  return code;
}

/**
 * The CLI command: run until wrangler exits; Ctrl+C and SIGTERM go to wrangler. A config with no
 * binding to emulate runs plain `wrangler dev` (one note says so).
 */
export async function runDev(argv: string[]): Promise<number> {
  const args = parseDevArgs(argv);
  if (args.help) {
    process.stdout.write(DEV_HELP + "\n");
    return 0;
  }
  const cwd = resolve(args.cwd ?? process.cwd());
  const configPath = args.config ? resolve(cwd, args.config) : findWranglerConfig(cwd);
  if (configPath) {
    const w = findUserWrangler(dirname(configPath));
    checkWranglerVersion(w);
    const node = nodeForWrangler(w);
    const list = artifactsOf(readWranglerConfig(configPath), configPath, args.env ?? (process.env.CLOUDFLARE_ENV || undefined));
    if (!list.some((a) => !a.remote)) {
      for (const a of list) note(remoteNote(a.binding, configPath));
      if (!list.length) note(`[artifacts-emulator] ${configPath} has no artifacts binding: running plain wrangler dev`);
      const child = spawn(node, ["--no-warnings", w.cli, "dev", ...withoutOurFlags(argv)], { cwd, stdio: ["inherit", "inherit", "inherit", "ipc"] });
      const exited = new Promise<number>((res) => {
        child.once("exit", (code, signal) => res(code ?? (signal ? 128 + (constants.signals[signal] ?? 1) : 1)));
        child.once("error", (e) => {
          note(`[artifacts-emulator] cannot run wrangler: ${e.message}`);
          res(1);
        });
      });
      return runForwarding(child, exited);
    }
  }
  const session = await startDev(argv);
  return runForwarding(session.child, session.exited);
}
