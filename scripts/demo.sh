#!/usr/bin/env bash
# make demo: the demo page, the Cloudflare example proxy in workerd and the
# fake LLM upstream, all on 127.0.0.1; no key, no internet. Ctrl-C stops all.
#   PAGE_PORT (8080), PROXY_PORT (8787), UPSTREAM_PORT (8788) move them.
set -euo pipefail
cd "$(dirname "$0")/.."
page_port="${PAGE_PORT:-8080}"
proxy_port="${PROXY_PORT:-8787}"
upstream_port="${UPSTREAM_PORT:-8788}"

node host-tests/www/build.mjs >/dev/null
node www/serve.mjs --port "$page_port" --proxy "http://127.0.0.1:$proxy_port" &
page_server=$!
trap 'kill "$page_server" 2>/dev/null || true' EXIT
echo "Demo page (its second panel shows the proxy's breakers live): http://127.0.0.1:$page_port/"
node host-tests/edge/demo.mjs --port "$proxy_port" --upstream-port "$upstream_port"
