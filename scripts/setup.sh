#!/usr/bin/env bash
# Installs what a fresh machine lacks, and nothing twice: rustup targets and
# clippy (`make lint`), the wasm-bindgen CLI at the crate's exact version, npm
# dependencies from the lockfiles, Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
wasm_bindgen_version="$1"

installed_targets=$(rustup target list --installed)
for target in wasm32-unknown-unknown wasm32-wasip2; do
  grep -qx "$target" <<<"$installed_targets" || rustup target add "$target"
done
# rustup's minimal profile (the rust Docker images use it) leaves clippy out.
rustup component list --installed | grep -q '^clippy' || rustup component add clippy

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
  cargo install wasm-bindgen-cli --version "=$wasm_bindgen_version" --locked
fi

# npm ci only when the lockfile changed since the last install.
if [ ! -f js/node_modules/.package-lock.json ] || [ js/package-lock.json -nt js/node_modules/.package-lock.json ]; then
  (cd js && npm ci --no-audit --no-fund)
fi
if [ ! -f host-tests/node_modules/.package-lock.json ] || [ host-tests/package-lock.json -nt host-tests/node_modules/.package-lock.json ]; then
  (cd host-tests && npm ci --no-audit --no-fund)
fi

# Headless Chromium for the browser tests, from Debian's packages (never a browser download).
if [ ! -x /usr/bin/chromium ]; then  # the path the browser tests launch
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
