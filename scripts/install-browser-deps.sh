#!/usr/bin/env bash
# Installs what the browser tests (tests/browser) need, idempotently:
#   * Debian's Chromium at /usr/bin/chromium (apt; we run as root). Playwright's
#     own browser download is never used (`playwright install` is not run).
#   * axe-core into node_modules/ from package-lock.json (npm ci).
# Prints what it did. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-browser-deps: not root and no sudo; cannot apt-get install" >&2
  fi
fi

if [ -x /usr/bin/chromium ]; then
  echo "install-browser-deps: chromium already installed ($(/usr/bin/chromium --version 2>/dev/null | head -n1 || echo '?'))"
else
  echo "install-browser-deps: installing Debian chromium (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
  echo "install-browser-deps: installed $(/usr/bin/chromium --version 2>/dev/null | head -n1 || echo chromium)"
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-browser-deps: installing Debian npm (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

want="$(node -e 'process.stdout.write(require("./package.json").devDependencies["axe-core"])')"
have=""
if [ -f node_modules/axe-core/package.json ]; then
  have="$(node -e 'process.stdout.write(require("./node_modules/axe-core/package.json").version)')"
fi
if [ -f node_modules/axe-core/axe.min.js ] && [ "$have" = "$want" ]; then
  echo "install-browser-deps: axe-core $have already in node_modules"
else
  echo "install-browser-deps: npm ci (axe-core $want)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "install-browser-deps: axe-core $(node -e 'process.stdout.write(require("./node_modules/axe-core/package.json").version)') installed"
fi
