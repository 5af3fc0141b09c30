# Sourced by the other scripts: repo root, project-local tools on PATH, quiet CI-friendly defaults.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
PNPM_VERSION="10.34.9"
NODE22_VERSION="22.23.3"
export ROOT TOOLS PNPM_VERSION NODE22_VERSION
# .tools/bin holds pnpm (runs on the machine's Node 20). Node 22 is NOT put on PATH: use "$NODE22" (for the wrangler CLI).
export PATH="$TOOLS/bin:$PATH"
export NODE22="$TOOLS/node22/bin/node"
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 TURBO_NO_UPDATE_NOTIFIER=1
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
