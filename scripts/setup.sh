#!/usr/bin/env bash
# Installs what a fresh machine lacks for the parts named, and nothing twice.
#
#   scripts/setup.sh <wasm-bindgen version> <part>...
#
#   package     the npm package, `make demo` and `make pack`: the wasm target, the
#               wasm-bindgen CLI at the crate's exact version, npm dependencies
#               from the lockfiles. No root, no apt.
#   component   the WebAssembly component's target (wasm32-wasip2)
#   lint        clippy, and the targets it checks the core and bindings for
#   browser     Chromium for the browser tests, from Debian's packages (apt: root)
set -euo pipefail
cd "$(dirname "$0")/.."
wasm_bindgen_version="$1"
shift

rust_target() {
  grep -qx "$1" <<<"$(rustup target list --installed)" || rustup target add "$1"
}

# npm ci only when the lockfile changed since the last install.
npm_dependencies() {
  if [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
    (cd "$1" && npm ci --no-audit --no-fund)
  fi
}

package() {
  rust_target wasm32-unknown-unknown
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
    cargo install wasm-bindgen-cli --version "=$wasm_bindgen_version" --locked
  fi
  npm_dependencies js
  npm_dependencies host-tests # the demo's workerd (Miniflare) and bundler, and the tests' runtimes
}

component() {
  rust_target wasm32-wasip2
}

lint() {
  rust_target wasm32-unknown-unknown
  rust_target wasm32-wasip2
  # rustup's minimal profile (the rust Docker images use it) leaves clippy out.
  # (A here-string, not a pipe: grep -q stopping early would fail the pipe under pipefail.)
  grep -q '^clippy' <<<"$(rustup component list --installed)" || rustup component add clippy
}

browser() {
  [ -x /usr/bin/chromium ] && return # the path the browser tests launch
  if [ "$(id -u)" != 0 ]; then
    echo "the browser tests need Chromium at /usr/bin/chromium: run \`apt-get install chromium\` as root, then this again" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}

for part in "$@"; do
  case "$part" in
    package | component | lint | browser) "$part" ;;
    *) echo "setup.sh: unknown part '$part' (package, component, lint, browser)" >&2 && exit 2 ;;
  esac
done
