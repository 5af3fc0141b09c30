/** Running the emulator: start, status, reset, dashboard. */
import { choosePort, startEmulator, StateInUseError, type RunningEmulator } from "@artifacts-emulator/emulator";
import { PROG, type Command } from "../args.js";
import { CliError, EXIT, c, print, usage } from "../output.js";
import { all, connect, emulatorUrl, healthy, stateFor, api } from "../client.js";
import { requestLogger } from "../request-log.js";
import { namespaceName } from "../rules.js";

async function confirm(question: string, values: Record<string, unknown>): Promise<boolean> {
  if (values.yes) return true;
  const noInput = Boolean(values["no-input"]) || process.env.ARTIFACTS_EMULATOR_NO_INPUT === "1" || !process.stdin.isTTY;
  if (noInput) throw usage(`${question} Refusing without --yes in non-interactive mode.`);
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const a = await rl.question(`${question} [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(a.trim());
}

function parsePort(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const port = Number(v);
  if (!/^\d+$/.test(String(v)) || port > 65535) throw usage(`--port must be a port number (0-65535), not "${String(v)}".`);
  return port;
}

function banner(emu: RunningEmulator): string {
  return [
    `${c("green", "Artifacts emulator ready")} on ${c("bold", emu.url)}`,
    `  REST API      ${emu.restBase}`,
    `  Git remotes   ${emu.url}/git/<namespace>/<repo>.git`,
    ...(emu.dashboardUrl ? [`  Dashboard     ${emu.dashboardUrl}  (sign in: npx ${PROG} dashboard)`] : []),
    `  State         ${emu.state.root}`,
    ``,
    `Create a repo:        npx ${PROG} repos create demo`,
    `Create an API token:  npx ${PROG} token create --scope artifacts:write`,
    `Use it with wrangler: CLOUDFLARE_API_BASE_URL=${emu.url}/client/v4 CLOUDFLARE_ACCOUNT_ID=${emu.accountId} CLOUDFLARE_API_TOKEN=<token> npx wrangler artifacts repos list --namespace default`,
    `Press Ctrl+C to stop.`,
    ``,
  ].join("\n");
}

export const emulatorCommands: Command[] = [
  {
    name: "start",
    summary: "Run the emulator: REST API, Git remotes and dashboard on a loopback port",
    args: "[--port N] [--host 127.0.0.1] [--account-id ID] [--log-format text|json]",
    options: { port: { type: "string" }, host: { type: "string" }, "account-id": { type: "string" }, "log-format": { type: "string" } },
    positionals: [0, 0],
    dryRun: "preview",
    async run({ values, format, dryRun }) {
      const port = parsePort(values.port);
      const logFormat = (values["log-format"] as string | undefined) ?? (process.stdout.isTTY && format === "text" ? "text" : "json");
      if (logFormat !== "text" && logFormat !== "json") throw usage(`--log-format must be text or json, not "${logFormat}".`);
      const state = stateFor(values, false);
      const host = (values.host as string | undefined) ?? "127.0.0.1";
      if (dryRun) {
        const live = state.liveServer();
        const wouldUse = live ? null : await choosePort(state, host, port);
        const info = { dryRun: true, stateDir: state.root, host, port: wouldUse, alreadyRunning: live ?? null };
        return print(format, info, () =>
          live
            ? `An emulator already serves ${state.root} at ${live.url} (pid ${live.pid}); start would refuse.`
            : `Would start an emulator on ${host}:${wouldUse || "<any free port>"} with state in ${state.root}.`,
        );
      }
      let emu: RunningEmulator;
      try {
        emu = await startEmulator({
          ...(port !== undefined ? { port } : {}),
          host,
          persistTo: state.root,
          ...(values["account-id"] ? { accountId: values["account-id"] as string } : {}),
          onLog: requestLogger(logFormat),
        });
      } catch (e) {
        if (e instanceof StateInUseError) throw new CliError(e.message, EXIT.IN_USE);
        if ((e as { code?: string }).code === "ERR_ADDRESS_IN_USE")
          throw new CliError(`Port ${port} on ${host} is in use by another program; choose another with --port N (or --port 0 for any free port).`);
        throw e;
      }
      const info = {
        url: emu.url,
        restApi: emu.restBase,
        gitRemotes: `${emu.url}/git/<namespace>/<repo>.git`,
        dashboard: emu.dashboardUrl,
        stateDir: emu.state.root,
        accountId: emu.accountId,
        pid: process.pid,
      };
      if (format === "json") process.stdout.write(JSON.stringify(info) + "\n");
      else process.stdout.write(banner(emu));
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await emu.close();
    },
  },
  {
    name: "status",
    summary: "Show whether an emulator is running for the state directory",
    args: "",
    options: {},
    positionals: [0, 0],
    dryRun: "none",
    async run({ values, format }) {
      const state = stateFor(values);
      const s = state.liveServer();
      const url = values.url ? emulatorUrl(values, state) : s?.url;
      const up = url ? await healthy(url) : false;
      const info = {
        running: up,
        url: url ?? null,
        pid: s?.pid ?? null,
        startedAt: s?.startedAt ?? null,
        stateDir: state.root,
        lastPort: state.lastPort() ?? null,
      };
      print(format, info, () =>
        up
          ? `${c("green", "running")} on ${url} (pid ${s?.pid ?? "?"}, since ${s?.startedAt ?? "?"})\nstate: ${state.root}`
          : `${c("yellow", "not running")} (state: ${state.root})`,
      );
      if (!up) process.exitCode = EXIT.NOT_RUNNING;
    },
  },
  {
    name: "reset",
    summary: "Delete local data: every repo of one namespace (emulator running), or all state (emulator stopped)",
    args: "[--namespace NS] [--yes]",
    options: { namespace: { type: "string" }, yes: { type: "boolean", short: "y" } },
    positionals: [0, 0],
    dryRun: "preview",
    async run({ values, format, dryRun }) {
      const state = stateFor(values);
      if (values.namespace !== undefined) {
        const ns = namespaceName(values.namespace);
        const conn = await connect(values);
        const names = (await all<{ name: string }>(conn, `/namespaces/${encodeURIComponent(ns)}/repos`)).map((r) => r.name);
        if (dryRun)
          return print(format, { dryRun: true, namespace: ns, wouldDelete: names }, () => `Would delete ${names.length} repositories in namespace ${ns}`);
        if (!(await confirm(`Delete all ${names.length} repositories in namespace "${ns}"?`, values))) throw new CliError("Aborted.");
        for (const n of names) await api(conn, "DELETE", `/namespaces/${encodeURIComponent(ns)}/repos/${encodeURIComponent(n)}`);
        return print(format, { namespace: ns, deleted: names.length }, () => `Deleted ${names.length} repositories in namespace ${ns}`);
      }
      const running = state.liveServer();
      if (running && (await healthy(running.url)))
        throw new CliError(`The emulator is running (${running.url}, pid ${running.pid}); stop it first, or reset one namespace with --namespace.`);
      if (dryRun) return print(format, { dryRun: true, wouldDelete: state.doPersist }, () => `Would delete ${state.doPersist}`);
      if (!(await confirm(`Delete all local Artifacts data in ${state.doPersist}?`, values))) throw new CliError("Aborted.");
      state.resetAll();
      print(format, { reset: state.doPersist }, () => `Deleted ${state.doPersist}`);
    },
  },
  {
    name: "dashboard",
    summary: "Print (or --open) a one-time sign-in link to the local dashboard",
    args: "[--open]",
    options: { open: { type: "boolean" } },
    positionals: [0, 0],
    dryRun: "none",
    async run({ values, format }) {
      const state = stateFor(values);
      const url = emulatorUrl(values, state);
      const page = `${url}/cdn-cgi/artifacts/`;
      const res = await fetch(page).catch(() => null);
      if (!res) throw new CliError(`Cannot reach the emulator at ${url}. Is it running? Start it with \`npx ${PROG} start\`.`, EXIT.NOT_RUNNING);
      await res.body?.cancel();
      if (!res.ok || !(res.headers.get("content-type") ?? "").startsWith("text/html"))
        throw new CliError(`The emulator at ${url} does not serve the dashboard (it is served by \`npx ${PROG} start\`).`);
      // The code goes in the fragment: browsers never send it to a server. It works once, for a few
      // minutes, and only with the emulator that uses this state directory (it is stored there, hashed).
      const { code, expiresAt } = state.createDashboardSession();
      const link = `${page}#session=${code}`;
      print(format, { url: link, expiresAt }, () => `Dashboard sign-in link (works once, until ${new Date(expiresAt).toLocaleTimeString()}):\n${link}`);
      if (values.open) await openInBrowser(link);
    },
  },
];

/** The system's browser (no shell: the link is one argument). */
async function openInBrowser(link: string): Promise<void> {
  const cmd = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer.exe" : "xdg-open";
  const { spawn } = await import("node:child_process");
  await new Promise<void>((resolve) => {
    const p = spawn(cmd, [link], { stdio: "ignore", detached: true });
    p.once("spawn", () => (p.unref(), resolve()));
    p.once("error", () => (process.stderr.write(`Could not start ${cmd}; open the link above yourself.\n`), resolve()));
  });
}
