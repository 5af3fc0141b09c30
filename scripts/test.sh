#!/usr/bin/env bash
# Fresh machine → full check: setup, `pnpm lint` (eslint + prettier --check), then `pnpm test` (turbo: build,
# typecheck and vitest in every package).
# Extra arguments go to turbo, e.g. `bash scripts/test.sh --filter @artifacts-emulator/git`.
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
pnpm lint
exec pnpm test "$@"
