#!/usr/bin/env bash
# Fresh machine → running dev server: setup, build, then the Git smart-HTTP dev server of packages/git
# on http://127.0.0.1:8788 (change with --port N or PORT=N; other arguments are passed to serve.mjs).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$ROOT/scripts/setup.sh"
cd "$ROOT"
pnpm build --output-logs=errors-only
args=("$@")
case " $* " in
  *" --port "* | *" --port="*) ;;
  *) args=(--port "${PORT:-8788}" "$@") ;;
esac
exec node packages/git/dist/serve.mjs "${args[@]}"
