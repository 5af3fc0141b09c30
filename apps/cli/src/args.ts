/**
 * The argv layer over node:util parseArgs: command words (`repos create`) are found first, global
 * options are accepted anywhere on the line, unknown commands and flags get one line naming the
 * nearest valid one, and a group alone prints its own help.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { usage, type Format } from "./output.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Ctx {
  values: Record<string, unknown>;
  positionals: string[];
  format: Format;
  /** Whether JSON was asked for explicitly (then errors are JSON too). */
  json: boolean;
  dryRun: boolean;
}

export interface Command {
  /** "status", or "repos create" for a command of a group. */
  name: string;
  summary: string;
  /** What follows the command name in the usage line. */
  args: string;
  options: Options;
  /** How many positionals the command takes. */
  positionals: [min: number, max: number];
  /**
   * How --dry-run applies: "preview" (the command honours it and changes nothing), "refuse" (it
   * cannot honour it: a usage error), "none" (read-only: nothing would change anyway).
   */
  dryRun: "preview" | "refuse" | "none";
  /** Wraps another CLI: gets the raw arguments after its name. */
  passthrough?: (argv: string[], globals: Record<string, unknown>) => Promise<number>;
  run(ctx: Ctx): Promise<void>;
}

export const PROG = "artifacts-emulator";

export const GLOBAL = {
  format: { type: "string" },
  json: { type: "boolean" },
  "persist-to": { type: "string" },
  url: { type: "string" },
  "token-stdin": { type: "boolean" },
  "no-input": { type: "boolean" },
  "dry-run": { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
} as const satisfies Options;

export const GLOBAL_HELP = `Global options (anywhere on the line):
  --format json|text   output format (default: text on a terminal, json otherwise)
  --json               same as --format json
  --persist-to DIR     state directory (default: found from the current directory upwards, as wrangler
                       finds its config; or $ARTIFACTS_EMULATOR_PERSIST_TO)
  --url URL            emulator URL (default: the one running for the state directory)
  --token-stdin        read the operator credential from stdin instead of the state directory
  --no-input           never prompt (also ARTIFACTS_EMULATOR_NO_INPUT=1)
  --dry-run            show what a mutating command would do, change nothing
  -h, --help           help for any command
  -v, --version        print the version`;

/** Options that take a value, so the word after them is not a command word. */
function valueOptions(opts: Options): Set<string> {
  const s = new Set<string>();
  for (const [k, o] of Object.entries(opts)) {
    if (o.type === "string") {
      s.add(`--${k}`);
      if (o.short) s.add(`-${o.short}`);
    }
  }
  return s;
}

/** The non-option words of argv (up to `--`), skipping the values of the given options. */
export function words(argv: string[], opts: Options): Array<{ word: string; index: number }> {
  const takes = valueOptions(opts);
  const out: Array<{ word: string; index: number }> = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a.startsWith("-") && a !== "-") {
      if (!a.includes("=") && takes.has(a)) i++;
      continue;
    }
    out.push({ word: a, index: i });
  }
  return out;
}

/** Damerau-free Levenshtein distance, for "did you mean". */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

export function nearest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const cand of candidates) {
    const dd = cand.startsWith(word) || word.startsWith(cand) ? 1 : distance(word, cand);
    if (dd < bestD) [best, bestD] = [cand, dd];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

const didYouMean = (s: string | undefined) => (s ? ` Did you mean "${s}"?` : "");

/** Whether JSON output (and JSON errors) were asked for anywhere on the line. */
export function wantsJson(argv: string[]): boolean {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") break;
    if (a === "--json" || a === "--format=json" || (a === "--format" && argv[i + 1] === "json")) return true;
  }
  return false;
}

/** Parse the arguments of one command (its own and the global options). Throws usage errors. */
export function parseCommand(cmd: Command, argv: string[]): Ctx {
  const options: Options = { ...GLOBAL, ...cmd.options };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const err = e as Error & { code?: string };
    const m = /Unknown option '([^']+)'/.exec(err.message);
    if (err.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && m) {
      const flag = m[1]!;
      const names = Object.entries(options).flatMap(([k, o]) => [`--${k}`, ...(o.short ? [`-${o.short}`] : [])]);
      throw usage(
        `unknown option "${flag}" for "${cmd.name}".${didYouMean(nearest(flag, names)) || ` Run \`npx ${PROG}${cmd.name === PROG ? "" : ` ${cmd.name}`} --help\`.`}`,
      );
    }
    const first = err.message.split("\n")[0]!.replace(/\. To specify a positional argument.*$/, "");
    throw usage(`${first} (${cmd.name}).`);
  }
  const values = parsed.values as Record<string, unknown>;
  const json = Boolean(values.json) || values.format === "json";
  if (values.format !== undefined && values.format !== "json" && values.format !== "text")
    throw usage(`--format must be json or text, not "${String(values.format)}".`);
  if (values.json && values.format === "text") throw usage("--json and --format text contradict each other.");
  const format: Format = json ? "json" : ((values.format as Format | undefined) ?? (process.stdout.isTTY ? "text" : "json"));
  const [min, max] = cmd.positionals;
  const pos = parsed.positionals;
  if (!values.help && pos.length < min)
    throw usage(
      `"${cmd.name}" needs ${
        cmd.args
          .split(" ")
          .filter((w) => w.startsWith("<"))
          .slice(pos.length, min)
          .join(" ") || "more arguments"
      }. Usage: npx ${PROG} ${cmd.name} ${cmd.args}`.trimEnd(),
    );
  if (pos.length > max) throw usage(`unexpected argument "${pos[max]}" for "${cmd.name}". Usage: npx ${PROG} ${cmd.name} ${cmd.args}`.trimEnd());
  const dryRun = Boolean(values["dry-run"]);
  if (dryRun && cmd.dryRun === "refuse") throw usage(`"${cmd.name}" cannot preview its effect with --dry-run; run it without --dry-run.`);
  return { values, positionals: pos, format, json, dryRun };
}

export interface Resolved {
  cmd?: Command;
  /** argv without the command words. */
  rest: string[];
  /** A group named alone (`repos`): print its help. */
  group?: string;
}

/** Find the command named on the line; unknown names are usage errors naming the nearest one. */
export function resolveCommand(argv: string[], commands: Command[]): Resolved {
  const ws = words(argv, GLOBAL);
  const first = ws[0];
  if (!first) return { rest: argv };
  const groups = [...new Set(commands.filter((c) => c.name.includes(" ")).map((c) => c.name.split(" ")[0]!))];
  const top = [...new Set(commands.map((c) => c.name.split(" ")[0]!))];
  const single = commands.find((c) => c.name === first.word);
  if (single) {
    // A passthrough command (dev) takes everything after its name as it is.
    const rest = single.passthrough ? [...argv.slice(0, first.index), ...argv.slice(first.index + 1)] : argv.filter((_, i) => i !== first.index);
    return { cmd: single, rest };
  }
  if (groups.includes(first.word)) {
    const members = commands.filter((c) => c.name.startsWith(`${first.word} `));
    const allOpts = Object.assign({}, GLOBAL, ...members.map((m) => m.options)) as Options;
    const second = words(argv, allOpts).find((w) => w.index > first.index);
    if (!second) return { rest: argv.filter((_, i) => i !== first.index), group: first.word };
    const cmd = members.find((m) => m.name === `${first.word} ${second.word}`);
    if (!cmd) {
      const subs = members.map((m) => m.name.split(" ")[1]!);
      throw usage(
        `unknown command "${first.word} ${second.word}".${didYouMean(nearest(second.word, subs) && `${first.word} ${nearest(second.word, subs)}`) || ` Run \`npx ${PROG} ${first.word}\` for its commands.`}`,
      );
    }
    return { cmd, rest: argv.filter((_, i) => i !== first.index && i !== second.index) };
  }
  throw usage(
    `unknown command "${first.word}".${
      didYouMean(
        nearest(
          first.word,
          [...top, "help"].filter((v, i, a) => a.indexOf(v) === i),
        ),
      ) || ` Run \`npx ${PROG} --help\` for the commands.`
    }`,
  );
}
