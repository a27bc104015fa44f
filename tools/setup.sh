#!/usr/bin/env bash
# Installs what Sextant needs on a fresh Debian/Ubuntu machine, or says
# exactly what is missing and how to get it. Safe to run again.
#   tools/setup.sh            runtime needs: Node check, npm packages, nats-server
#   tools/setup.sh --test     also what the test suites use: iptables (transparent capture)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }

# Node.js 20.19+ (require(esm), the engines field of our dependencies).
if ! command -v node >/dev/null 2>&1; then
  say "Node.js 20.19 or newer is required and was not found. Install it from https://nodejs.org or your distribution."; exit 1
fi
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' || {
  say "Node.js $(node --version) is too old; 20.19 or newer is required."; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    say "cannot install $* automatically (no apt-get). Install it with your package manager."; return 1
  fi
  say "installing $* from Debian packages..."
  if [ ! -f /tmp/.sextant-apt-updated ]; then as_root apt-get update -qq >/dev/null && touch /tmp/.sextant-apt-updated; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null || {
    say "installing $* failed. Run: sudo apt-get update && sudo apt-get install -y $*"; return 1; }
}

# nats-server with JetStream (Debian's 2.9 is enough).
if ! command -v nats-server >/dev/null 2>&1 && [ -z "${NATS_SERVER_BIN:-}" ]; then
  apt_install nats-server || exit 1
fi

if [ "${1:-}" = "--test" ]; then
  command -v iptables >/dev/null 2>&1 || apt_install iptables || exit 1
fi

# npm packages, when missing or out of date with the lock file.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)..."
  npm ci --no-audit --no-fund >&2
fi
