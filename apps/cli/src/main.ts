#!/usr/bin/env node
/**
 * artifacts-emulator: the local Cloudflare Artifacts emulator. `--help` lists the commands; the
 * argv conventions are in args.ts, output and exit codes in output.ts.
 */
import pkg from "../package.json" with { type: "json" };
import { GLOBAL_HELP, PROG, parseCommand, resolveCommand, wantsJson, type Command } from "./args.js";
import { CliError, EXIT, EXIT_HELP, c, print, printError, usage } from "./output.js";
import { emulatorCommands } from "./commands/emulator.js";
import { tokenCommands } from "./commands/tokens.js";
import { repoCommands } from "./commands/repos.js";
import { auditCommand } from "./commands/audit.js";
import { devCommand, DEV_HELP } from "./dev.js";
import { completionScript } from "./completion.js";

export const VERSION: string = pkg.version;

const GROUPS: Record<string, string> = {
  repos: "Repositories: create, list, get, delete, and repo tokens for Git",
  token: "Local REST API tokens (for wrangler, the SDK, curl)",
  namespaces: "Namespaces",
};

const commands: Command[] = [
  ...emulatorCommands.slice(0, 1),
  devCommand,
  ...repoCommands,
  ...tokenCommands,
  auditCommand,
  ...emulatorCommands.slice(1),
  {
    name: "version",
    summary: "Print the version",
    args: "",
    options: {},
    positionals: [0, 0],
    dryRun: "none",
    async run({ format }) {
      print(format, { version: VERSION }, () => VERSION);
    },
  },
  {
    name: "completion",
    summary: 'Print a shell completion script: eval "$(npx artifacts-emulator completion bash)"',
    args: "<bash|zsh>",
    options: {},
    positionals: [1, 1],
    dryRun: "none",
    async run({ positionals }) {
      const shell = positionals[0];
      if (shell !== "bash" && shell !== "zsh") throw usage(`completion supports bash and zsh, not "${shell}".`);
      process.stdout.write(completionScript(shell, commands));
    },
  },
];

function dropOutputOptions(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") return [...out, ...args.slice(i)];
    if (a === "--json" || a === "--no-input" || a.startsWith("--format=")) continue;
    if (a === "--format") {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

/** A command with no options or arguments of its own: for checking the global options alone. */
const bare = (name: string): Command => ({ name, summary: "", args: "", options: {}, positionals: [0, 0], dryRun: "none", run: async () => {} });

function topHelp(): string {
  const rows: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const cmd of commands) {
    const group = cmd.name.includes(" ") ? cmd.name.split(" ")[0]! : undefined;
    if (group && !seen.has(group)) {
      seen.add(group);
      rows.push([group, GROUPS[group] ?? ""]);
    }
    if (!group) rows.push([cmd.name, cmd.summary]);
  }
  const w = Math.max(...rows.map(([k]) => k.length));
  return [
    `${c("bold", PROG)} ${VERSION}: the local Cloudflare Artifacts emulator`,
    ``,
    `Usage: npx ${PROG} <command> [options]`,
    ``,
    `Commands:`,
    ...rows.map(([k, s]) => `  ${k.padEnd(w)}  ${s}`),
    ``,
    GLOBAL_HELP,
    ``,
    EXIT_HELP,
  ].join("\n");
}

function groupHelp(group: string): string {
  const members = commands.filter((m) => m.name.startsWith(`${group} `));
  const w = Math.max(...members.map((m) => m.name.length));
  return [
    `${GROUPS[group] ?? group}`,
    ``,
    `Usage: npx ${PROG} ${group} <command> [options]`,
    ``,
    `Commands:`,
    ...members.map((m) => `  ${m.name.padEnd(w)}  ${m.summary}`),
    ``,
    `Run \`npx ${PROG} ${group} <command> --help\` for a command's options.`,
  ].join("\n");
}

function commandHelp(cmd: Command): string {
  const own = Object.entries(cmd.options).map(
    ([k, o]) => `  ${o.short ? `-${o.short}, ` : ""}--${k}${o.type === "string" ? " VALUE" : ""}${o.multiple ? " (repeatable)" : ""}`,
  );
  const dry =
    cmd.dryRun === "preview"
      ? "--dry-run shows what it would do and changes nothing."
      : cmd.dryRun === "refuse"
        ? "--dry-run is refused (a usage error): this command cannot preview its effect."
        : "";
  return [
    cmd.summary,
    ``,
    `Usage: npx ${PROG} ${cmd.name} ${cmd.args}`.trimEnd(),
    ...(own.length ? [``, `Options:`, ...own] : []),
    ...(dry ? [``, dry] : []),
    ``,
    GLOBAL_HELP,
    ``,
    EXIT_HELP,
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const json = wantsJson(argv);
  // `help [command]` is `[command] --help`.
  if (argv[0] === "help") argv = [...argv.slice(1), "--help"];
  try {
    const { cmd, rest, group } = resolveCommand(argv, commands);
    if (!cmd) {
      if (group) {
        parseCommand(bare(group), rest); // unknown flags are still usage errors
        process.stdout.write(groupHelp(group) + "\n");
        return EXIT.OK;
      }
      // No command: --version, --help, or nothing; any other flag is checked (unknown ones are usage errors).
      const values = parseCommand(bare(PROG), rest).values;
      if (values.version) {
        process.stdout.write(VERSION + "\n");
        return EXIT.OK;
      }
      process.stdout.write(topHelp() + "\n");
      return EXIT.OK;
    }
    if (cmd.passthrough) {
      // Global options before the command are ours; everything after it belongs to the wrapped CLI.
      const at = argv.indexOf(cmd.name);
      const globals = parseCommand(bare(cmd.name), argv.slice(0, at)).values;
      // Our output options mean nothing to wrangler dev (its output is its own): take them out.
      const after = dropOutputOptions(argv.slice(at + 1));
      if (globals.help || after.includes("--help") || after.includes("-h")) {
        process.stdout.write(DEV_HELP + "\n");
        return EXIT.OK;
      }
      return await cmd.passthrough(after, globals);
    }
    const ctx = parseCommand(cmd, rest);
    if (ctx.values.help) {
      process.stdout.write(commandHelp(cmd) + "\n");
      return EXIT.OK;
    }
    if (ctx.values.version) {
      process.stdout.write(VERSION + "\n");
      return EXIT.OK;
    }
    await cmd.run(ctx);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.OK;
  } catch (e) {
    if (e instanceof CliError) {
      printError(e, json);
      return e.exitCode;
    }
    // Not an expected failure: keep the stack for a bug report.
    const err = new CliError(`unexpected failure: ${(e as Error).stack ?? String(e)}`);
    if (json) printError(err, true);
    else process.stderr.write(`error: ${err.message}\n`);
    return EXIT.ERROR;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code));
