/** `artifacts-emulator dev`: everything after `dev` goes to `wrangler dev` (see packages/emulator/src/dev.ts). */
import { runDev, DEV_HELP } from "@artifacts-emulator/emulator/dev";

export const DEV_SUMMARY = "Run the real `wrangler dev` on your config, with env.ARTIFACTS served by the emulator";
export const DEV_USAGE = "artifacts-emulator dev [wrangler dev options] [--artifacts-webhook URL|/path]...";
export { DEV_HELP };

export function runDevCommand(argv: string[]): Promise<number> {
  return runDev(argv);
}
