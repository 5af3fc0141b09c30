#!/usr/bin/env node
// The artifacts-emulator CLI. A committed file, so package managers can link the bin before anything is
// built (in this repository's workspace); the CLI itself is the bundle dist/cli.mjs.
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.mjs", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write("artifacts-emulator: dist/cli.mjs is missing: this copy is not built (in its workspace, run `pnpm build`)\n");
  process.exit(1);
}
await import(cli.href);
