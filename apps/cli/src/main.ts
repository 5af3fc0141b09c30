#!/usr/bin/env node
/**
 * artifacts-emulator: the local Cloudflare Artifacts emulator.
 *   start                      run the emulator (REST API + Git remotes) on loopback
 *   token create|list|revoke   local REST API tokens
 *   audit                      read (or --follow) the audit log
 *   reset                      delete local data (all, or one namespace)
 *   status                     is an emulator running for this state directory?
 *   dev [wrangler dev args]    the real `wrangler dev`, with env.ARTIFACTS served by the emulator
 *   dashboard                  print (or --open) a one-time sign-in link to the local dashboard
 * Exit codes: 0 ok, 1 error, 2 usage, 3 emulator not running, 4 authentication.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { startEmulator, StateDir } from "@artifacts-emulator/emulator";
import { CliError, EXIT, defaultFormat, print, table, type Format } from "./output.js";
import { api, connect } from "./client.js";
import { runDevCommand, DEV_SUMMARY, DEV_USAGE } from "./dev.js";

const GLOBAL = {
  format: { type: "string" },
  "persist-to": { type: "string" },
  url: { type: "string" },
  "token-stdin": { type: "boolean" },
  "no-input": { type: "boolean" },
  "dry-run": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

interface Command {
  summary: string;
  usage: string;
  /** Take the raw arguments (no parsing of our own): for commands that wrap another CLI. */
  passthrough?: (argv: string[]) => Promise<number>;
  options: ParseArgsConfig["options"];
  run(args: { values: Record<string, unknown>; positionals: string[]; format: Format }): Promise<void>;
}

const HELP_GLOBAL = `Global options:
  --format json|text   output format (default: text on a terminal, json otherwise)
  --persist-to DIR     state directory (default .wrangler/state, as wrangler)
  --url URL            emulator URL (default: the one running for the state directory)
  --token-stdin        read the operator credential from stdin instead of the state directory
  --no-input           never prompt (also ARTIFACTS_EMULATOR_NO_INPUT=1)
  --dry-run            show what a mutating command would do, change nothing
  -h, --help           help for any command`;

const noInput = (v: Record<string, unknown>) => Boolean(v["no-input"]) || process.env.ARTIFACTS_EMULATOR_NO_INPUT === "1" || !process.stdin.isTTY;

async function confirm(question: string, values: Record<string, unknown>): Promise<boolean> {
  if (values.yes) return true;
  if (noInput(values)) throw new CliError(`${question} Refusing without --yes in non-interactive mode.`, EXIT.USAGE);
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const a = await rl.question(`${question} [y/N] `);
  rl.close();
  return /^y(es)?$/i.test(a.trim());
}

const commands: Record<string, Command> = {
  start: {
    summary: "Run the emulator: REST API and Git remotes on a loopback port",
    usage: "artifacts-emulator start [--port N] [--host 127.0.0.1] [--persist-to DIR] [--account-id ID]",
    options: { port: { type: "string" }, host: { type: "string" }, "account-id": { type: "string" } },
    async run({ values, format }) {
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new CliError("--port must be a port number", EXIT.USAGE);
      const emu = await startEmulator({
        ...(port !== undefined ? { port } : {}),
        ...(values.host ? { host: values.host as string } : {}),
        ...(values["persist-to"] ? { persistTo: values["persist-to"] as string } : {}),
        ...(values["account-id"] ? { accountId: values["account-id"] as string } : {}),
      });
      const info = { url: emu.url, restApi: emu.restBase, gitRemotes: `${emu.url}/git/<namespace>/<repo>.git`, dashboard: emu.dashboardUrl, stateDir: emu.state.root, accountId: emu.accountId };
      if (format === "json") print(format, info, () => "");
      else
        process.stdout.write(
          [
            `Artifacts emulator ready on ${emu.url}`,
            `  REST API      ${emu.restBase}`,
            `  Git remotes   ${emu.url}/git/<namespace>/<repo>.git`,
            ...(emu.dashboardUrl ? [`  Dashboard     ${emu.dashboardUrl}  (sign in: artifacts-emulator dashboard)`] : []),
            `  State         ${emu.state.root}`,
            ``,
            `Create an API token:  artifacts-emulator token create --scope artifacts:write`,
            `Use it with wrangler: CLOUDFLARE_API_BASE_URL=${emu.url}/client/v4 CLOUDFLARE_ACCOUNT_ID=${emu.accountId} CLOUDFLARE_API_TOKEN=<token> wrangler artifacts repos create demo --namespace default`,
            `Press Ctrl+C to stop.`,
            ``,
          ].join("\n"),
        );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await emu.close();
    },
  },

  "token create": {
    summary: "Create a local REST API token (the secret is printed once)",
    usage: "artifacts-emulator token create [--scope artifacts:read|artifacts:write]... [--namespace NS] [--ttl SECONDS] [--allow-ip CIDR]... [--name NAME]",
    options: { scope: { type: "string", multiple: true }, namespace: { type: "string" }, ttl: { type: "string" }, "allow-ip": { type: "string", multiple: true }, name: { type: "string" } },
    async run({ values, format }) {
      const scopes = (values.scope as string[] | undefined) ?? ["artifacts:read"];
      for (const s of scopes) if (s !== "artifacts:read" && s !== "artifacts:write") throw new CliError(`unknown scope ${s}: use artifacts:read or artifacts:write`, EXIT.USAGE);
      const ttl = values.ttl === undefined ? undefined : Number(values.ttl);
      if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 60)) throw new CliError("--ttl must be a whole number of seconds, at least 60", EXIT.USAGE);
      const body = { name: (values.name as string) ?? "cli token", scopes, ...(values.namespace ? { namespace: values.namespace } : {}), ...(ttl ? { ttl } : {}), allow_ips: (values["allow-ip"] as string[]) ?? [] };
      if (values["dry-run"]) return print(format, { dryRun: true, wouldCreate: body }, () => `Would create API token ${JSON.stringify(body)}`);
      const c = await connect(connOpts(values));
      const { result } = await api<Record<string, unknown>>(c, "POST", "/api-tokens", body);
      print(format, result, () => `Created API token ${result.id} (${(result.scopes as string[]).join(", ")}${result.namespace ? `, namespace ${result.namespace}` : ""}${result.expires_at ? `, expires ${result.expires_at}` : ""}).\nToken (shown once):\n${result.value}`);
    },
  },

  "token list": {
    summary: "List local REST API tokens (never their secrets)",
    usage: "artifacts-emulator token list",
    options: {},
    async run({ values, format }) {
      const c = await connect(connOpts(values));
      const { result } = await api<Array<Record<string, unknown>>>(c, "GET", "/api-tokens");
      print(format, result, () => table(result, ["id", "name", "status", "scopes", "namespace", "expires_at", "last_used_at"]));
    },
  },

  "token revoke": {
    summary: "Revoke a local REST API token by id",
    usage: "artifacts-emulator token revoke <id>",
    options: {},
    async run({ values, positionals, format }) {
      const id = positionals[0];
      if (!id) throw new CliError("token revoke needs a token id", EXIT.USAGE);
      if (values["dry-run"]) return print(format, { dryRun: true, wouldRevoke: id }, () => `Would revoke API token ${id}`);
      const c = await connect(connOpts(values));
      await api(c, "DELETE", `/api-tokens/${encodeURIComponent(id)}`);
      print(format, { revoked: id }, () => `Revoked API token ${id}`);
    },
  },

  audit: {
    summary: "Show the audit log (newest first); --follow streams new entries",
    usage: "artifacts-emulator audit [--namespace NS] [--since TIME] [--principal P] [--action A] [--limit N] [--follow]",
    options: { namespace: { type: "string" }, since: { type: "string" }, principal: { type: "string" }, action: { type: "string" }, limit: { type: "string" }, follow: { type: "boolean", short: "f" } },
    async run({ values, format }) {
      const c = await connect(connOpts(values));
      const ns = (values.namespace as string) ?? "default";
      const q = new URLSearchParams();
      for (const k of ["since", "principal", "action", "limit"]) if (values[k]) q.set(k, String(values[k]));
      const { result } = await api<Array<Record<string, unknown>>>(c, "GET", `/namespaces/${encodeURIComponent(ns)}/audit?${q}`);
      const show = (rows: Array<Record<string, unknown>>) =>
        format === "json" ? rows.forEach((r) => process.stdout.write(JSON.stringify(r) + "\n")) : rows.length && process.stdout.write(table(rows, ["at", "principal", "action", "resource", "outcome", "detail"]) + "\n");
      if (!values.follow) return print(format, result, () => table(result, ["at", "principal", "action", "resource", "outcome", "detail"]));
      show([...result].reverse());
      let last = Math.max(0, ...result.map((r) => Number(r.seq)));
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        const { result: more } = await api<Array<Record<string, unknown>>>(c, "GET", `/namespaces/${encodeURIComponent(ns)}/audit?${q}`);
        const fresh = more.filter((r) => Number(r.seq) > last).reverse();
        if (fresh.length) last = Math.max(last, ...fresh.map((r) => Number(r.seq)));
        show(fresh);
      }
    },
  },

  reset: {
    summary: "Delete local data: every repo of one namespace (emulator running), or all state (emulator stopped)",
    usage: "artifacts-emulator reset [--namespace NS] [--yes]",
    options: { namespace: { type: "string" }, yes: { type: "boolean", short: "y" } },
    async run({ values, format }) {
      const state = new StateDir(values["persist-to"] as string | undefined);
      if (values.namespace) {
        const ns = values.namespace as string;
        const c = await connect(connOpts(values));
        const names: string[] = [];
        let cursor = "";
        do {
          const { result, result_info } = await api<Array<{ name: string }>>(c, "GET", `/namespaces/${encodeURIComponent(ns)}/repos?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
          names.push(...result.map((r) => r.name));
          cursor = String(result_info?.cursor ?? "");
        } while (cursor);
        if (values["dry-run"]) return print(format, { dryRun: true, namespace: ns, wouldDelete: names }, () => `Would delete ${names.length} repositories in namespace ${ns}`);
        if (!(await confirm(`Delete all ${names.length} repositories in namespace "${ns}"?`, values))) throw new CliError("Aborted.", EXIT.ERROR);
        for (const n of names) await api(c, "DELETE", `/namespaces/${encodeURIComponent(ns)}/repos/${encodeURIComponent(n)}`);
        return print(format, { namespace: ns, deleted: names.length }, () => `Deleted ${names.length} repositories in namespace ${ns}`);
      }
      const running = state.server();
      if (running && (await fetch(`${running.url}/health`).then((r) => r.ok, () => false))) throw new CliError(`The emulator is running (${running.url}); stop it first, or reset one namespace with --namespace.`, EXIT.ERROR);
      if (values["dry-run"]) return print(format, { dryRun: true, wouldDelete: state.doPersist }, () => `Would delete ${state.doPersist}`);
      if (!(await confirm(`Delete all local Artifacts data in ${state.doPersist}?`, values))) throw new CliError("Aborted.", EXIT.ERROR);
      state.resetAll();
      print(format, { reset: state.doPersist }, () => `Deleted ${state.doPersist}`);
    },
  },

  dev: {
    summary: DEV_SUMMARY,
    usage: DEV_USAGE,
    options: {},
    passthrough: runDevCommand,
    async run() {},
  },

  dashboard: {
    summary: "Print (or --open) a one-time sign-in link to the local dashboard",
    usage: "artifacts-emulator dashboard [--open] [--persist-to DIR] [--url URL]",
    options: { open: { type: "boolean" } },
    async run({ values, format }) {
      const state = new StateDir(values["persist-to"] as string | undefined);
      const url = ((values.url as string | undefined) ?? process.env.ARTIFACTS_EMULATOR_URL ?? state.server()?.url)?.replace(/\/+$/, "");
      if (!url) throw new CliError(`No running emulator found for state directory ${state.root}. Start one with \`artifacts-emulator start\`, or pass --url.`, EXIT.NOT_RUNNING);
      const page = `${url}/cdn-cgi/artifacts/`;
      const res = await fetch(page).catch(() => null);
      if (!res) throw new CliError(`Cannot reach the emulator at ${url}. Is it running?`, EXIT.NOT_RUNNING);
      if (!res.ok || !(res.headers.get("content-type") ?? "").startsWith("text/html")) throw new CliError(`The emulator at ${url} does not serve the dashboard: build it (pnpm build), then restart the emulator.`);
      await res.body?.cancel();
      // The code goes in the fragment: browsers never send it to a server. It works once, for a few
      // minutes, and only with the emulator that uses this state directory (it is stored there, hashed).
      const { code, expiresAt } = state.createDashboardSession();
      const link = `${page}#session=${code}`;
      print(format, { url: link, expiresAt }, () => `Dashboard sign-in link (works once, until ${new Date(expiresAt).toLocaleTimeString()}):\n${link}`);
      if (values.open) await openInBrowser(link);
    },
  },

  status: {
    summary: "Show whether an emulator is running for the state directory",
    usage: "artifacts-emulator status",
    options: {},
    async run({ values, format }) {
      const state = new StateDir(values["persist-to"] as string | undefined);
      const s = state.server();
      const url = (values.url as string) ?? s?.url;
      const healthy = url ? await fetch(`${url}/health`).then((r) => r.ok, () => false) : false;
      const info = { running: healthy, url: url ?? null, pid: s?.pid ?? null, startedAt: s?.startedAt ?? null, stateDir: state.root, lastPort: state.lastPort() ?? null };
      print(format, info, () => (healthy ? `running on ${url} (pid ${s?.pid}, since ${s?.startedAt})\nstate: ${state.root}` : `not running (state: ${state.root})`));
      if (!healthy) process.exitCode = EXIT.NOT_RUNNING;
    },
  },
};

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

function connOpts(v: Record<string, unknown>) {
  return { ...(v["persist-to"] ? { persistTo: v["persist-to"] as string } : {}), ...(v.url ? { url: v.url as string } : {}), ...(v["token-stdin"] ? { tokenStdin: true } : {}) };
}

function help(): string {
  const w = Math.max(...Object.keys(commands).map((k) => k.length));
  return [`artifacts-emulator — local Cloudflare Artifacts emulator`, ``, `Commands:`, ...Object.entries(commands).map(([k, c]) => `  ${k.padEnd(w)}  ${c.summary}`), ``, HELP_GLOBAL, ``, `Exit codes: 0 ok, 1 error, 2 usage, 3 emulator not running, 4 authentication`].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const words = argv.filter((a) => !a.startsWith("-"));
  const key = words[0] === "token" && words[1] ? `token ${words[1]}` : words[0];
  if (!key || key === "help" || (!commands[key] && (argv.includes("--help") || argv.includes("-h")))) {
    process.stdout.write(help() + "\n");
    return key && key !== "help" && !commands[key] ? EXIT.USAGE : EXIT.OK;
  }
  const cmd = commands[key];
  if (!cmd) {
    process.stderr.write(`error: unknown command "${words.slice(0, 2).join(" ")}"\n\n${help()}\n`);
    return EXIT.USAGE;
  }
  const rest = argv.slice();
  for (const w of key.split(" ")) rest.splice(rest.indexOf(w), 1);
  if (cmd.passthrough) {
    try {
      return await cmd.passthrough(rest);
    } catch (e) {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      return EXIT.ERROR;
    }
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL, ...cmd.options }, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\nusage: ${cmd.usage}\n`);
    return EXIT.USAGE;
  }
  if (parsed.values.help) {
    process.stdout.write(`${cmd.summary}\n\nusage: ${cmd.usage}\n\n${HELP_GLOBAL}\n`);
    return EXIT.OK;
  }
  const format = (parsed.values.format as Format | undefined) ?? defaultFormat();
  if (format !== "json" && format !== "text") {
    process.stderr.write(`error: --format must be json or text\n`);
    return EXIT.USAGE;
  }
  try {
    await cmd.run({ values: parsed.values as Record<string, unknown>, positionals: parsed.positionals, format });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CliError) {
      process.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`error: ${(e as Error).stack ?? e}\n`);
    return EXIT.ERROR;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
