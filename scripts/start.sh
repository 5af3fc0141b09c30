#!/usr/bin/env bash
# Fresh machine → running emulator: setup, build, then `artifacts-emulator start`: the REST API and Git
# remotes on http://127.0.0.1:8787 (or the last port used; change with --port N), state in .wrangler/state.
# Other arguments are passed to `artifacts-emulator start` (see --help).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
pnpm build --output-logs=errors-only
exec node apps/cli/dist/cli.mjs start --format text "$@"
