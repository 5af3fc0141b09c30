/** `artifacts-emulator dev`: everything after `dev` goes to `wrangler dev` (see packages/emulator/src/dev.ts). */
import { runDev, DEV_HELP } from "@artifacts-emulator/emulator/dev";
import { PERSIST_ENV, StateInUseError } from "@artifacts-emulator/emulator";
import type { Command } from "./args.js";
import { CliError, EXIT, usage } from "./output.js";

export { DEV_HELP };

export const devCommand: Command = {
  name: "dev",
  summary: "Run the real `wrangler dev` on your config, with env.ARTIFACTS served by the emulator",
  args: "[wrangler dev options] [--artifacts-webhook URL|/path]...",
  options: {},
  positionals: [0, Infinity],
  dryRun: "refuse",
  passthrough: async (argv, globals) => {
    if (argv.includes("--dry-run") || globals["dry-run"]) throw usage(`"dev" cannot preview its effect with --dry-run; run it without --dry-run.`);
    // Our global --persist-to (before `dev`) and $ARTIFACTS_EMULATOR_PERSIST_TO are wrangler dev's own --persist-to.
    const persistTo = (globals["persist-to"] as string | undefined) ?? process.env[PERSIST_ENV];
    const args = persistTo && !argv.some((a) => a === "--persist-to" || a.startsWith("--persist-to=")) ? [...argv, "--persist-to", persistTo] : argv;
    try {
      return await runDev(args);
    } catch (e) {
      if (e instanceof StateInUseError) throw new CliError(e.message, EXIT.IN_USE);
      throw new CliError((e as Error).message);
    }
  },
  async run() {},
};
