# edgebreaker: `make demo` to see it work, `make test` to prove it.
# Every target installs what it needs first (the setup-* targets below, each
# idempotent); only `make setup` and `make test` need root (Chromium, from apt).

SHELL := bash
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' crate/wasm/Cargo.toml)
CORE_WASM := target/wasm32-unknown-unknown/release/edgebreaker_wasm.wasm

.PHONY: setup setup-package setup-component setup-lint setup-browser setup-denokv setup-redis build wasm package component pack lint test test-rust test-js cargo-test bench fuzz demo demo-script clean

# Everything `make test` needs.
setup: setup-package setup-component setup-lint setup-browser setup-denokv setup-redis

# A rustup target, added unless installed.
rust-target = grep -qx $(1) <<<"$$(rustup target list --installed)" || rustup target add $(1)

# The npm package, `make demo` and `make pack`: the wasm target, the wasm-bindgen
# CLI at the crate's exact version, npm dependencies from the lockfiles (host-tests'
# for the demo's workerd and bundler, and the tests' runtimes). No root, no apt.
setup-package: js/node_modules/.package-lock.json host-tests/node_modules/.package-lock.json
	@$(call rust-target,wasm32-unknown-unknown)
	@[ "$$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $(WASM_BINDGEN_VERSION)" ] \
		|| cargo install wasm-bindgen-cli --version "=$(WASM_BINDGEN_VERSION)" --locked

# npm ci only when the lockfile changed since the last install.
%/node_modules/.package-lock.json: %/package-lock.json
	cd $* && npm ci --no-audit --no-fund
	@touch $@

# The WebAssembly component's target.
setup-component:
	@$(call rust-target,wasm32-wasip2)

# clippy, and the targets it checks the core and bindings for. rustup's minimal
# profile (the rust Docker images use it) leaves clippy out.
setup-lint:
	@$(call rust-target,wasm32-unknown-unknown)
	@$(call rust-target,wasm32-wasip2)
	@grep -q '^clippy' <<<"$$(rustup component list --installed)" || rustup component add clippy

# Chromium for the browser tests, at the path they launch, from Debian's packages (apt: root).
setup-browser:
	@[ -x /usr/bin/chromium ] || [ "$$(id -u)" = 0 ] || { \
		echo "the browser tests need Chromium at /usr/bin/chromium: run \`apt-get install chromium\` as root, then this again" >&2; exit 1; }
	@[ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# denokv, the self-hosted Deno KV server the Deno fleet tests and bench share
# between Deno processes, built by cargo into ~/.cargo/bin once and reused from
# there on every run of a machine that keeps ~/.cargo (a cold build takes about
# 7 minutes on 2 cores). denokv has no --version: cargo's list of installed
# crates says which one is there.
DENOKV_VERSION := 0.14.0
setup-denokv:
	@command -v denokv >/dev/null && grep -qx 'denokv v$(DENOKV_VERSION):' <<<"$$(cargo install --list)" \
		|| cargo install denokv --locked --version "=$(DENOKV_VERSION)"

# redis-server for the Redis fleet's tests and bench (each starts its own on a free
# loopback port), from Debian's packages (apt: root); the package's own service is not used.
setup-redis:
	@command -v redis-server >/dev/null || [ "$$(id -u)" = 0 ] || { \
		echo "the Redis fleet tests need redis-server: run \`apt-get install redis-server\` as root, then this again" >&2; exit 1; }
	@command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# The Rust core as wasm, with wasm-bindgen's JS glue but for lite's, in js/wasm/
# (the npm package builds on it): three builds, so that an application loads
# only what its entry uses.
#   edgebreaker_bg.wasm        the breakers with snapshots, their fleet side and
#                              figures (feature `breaker-full`), for the main
#                              entries (index, browser, workerd)
#   edgebreaker_lite_bg.wasm   the breakers alone (feature `lite`), for
#                              edgebreaker/lite: plain exports, no wasm-bindgen
#                              glue (js/src/lite/wasm.ts is its JS side)
#   edgebreaker_fleet_bg.wasm  the coordinators (feature `coordinators`), for
#                              edgebreaker/cloudflare, /deno and /redis
wasm: setup-package
	cargo build -p edgebreaker-wasm --target wasm32-unknown-unknown --release --no-default-features --features breaker-full
	wasm-bindgen --target web --out-dir js/wasm --out-name edgebreaker $(CORE_WASM)
	cargo build -p edgebreaker-wasm --target wasm32-unknown-unknown --release --no-default-features --features lite
	cp $(CORE_WASM) js/wasm/edgebreaker_lite_bg.wasm
	cargo build -p edgebreaker-wasm --target wasm32-unknown-unknown --release --no-default-features --features coordinators
	wasm-bindgen --target web --out-dir js/wasm --out-name edgebreaker_fleet $(CORE_WASM)

# The npm package (js/dist/).
package: wasm
	cd js && npm run --silent build

# The WebAssembly component for plugin hosts.
component: setup-component
	cargo build -p edgebreaker-component --target wasm32-wasip2 --release

# The npm package and the WebAssembly component.
build: package component

# The npm package as a tarball, for `npm install <path>` until it is published:
# the last line printed is the tarball's absolute path.
pack: package
	@cd js && echo "$$PWD/$$(npm pack --silent --ignore-scripts | tail -n 1)"

# No unwrap, expect, panic, unchecked indexing or overflowing arithmetic in the
# core and bindings (Cargo.toml's lints), checked for each target they run on,
# their tests and the native bench included, in a target folder of its own, so
# that it can run beside a build of the tests (cargo lets one command at a time
# build in a target folder). The wasmtime harness, which ships nothing, is left
# out: checking it checks wasmtime and cranelift too, a third of the lint's CPU
# time; cargo test builds it and shows its warnings.
LINT_DIR := target/lint
lint: setup-lint
	cargo clippy --quiet --target-dir $(LINT_DIR) --workspace --all-targets --exclude edgebreaker-wasmtime -- -D warnings
	cargo clippy --quiet --target-dir $(LINT_DIR) -p edgebreaker-wasm --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --quiet --target-dir $(LINT_DIR) -p edgebreaker-wasm --target wasm32-unknown-unknown --no-default-features --features breaker-full -- -D warnings
	cargo clippy --quiet --target-dir $(LINT_DIR) -p edgebreaker-wasm --target wasm32-unknown-unknown --no-default-features --features lite -- -D warnings
	cargo clippy --quiet --target-dir $(LINT_DIR) -p edgebreaker-wasm --target wasm32-unknown-unknown --no-default-features --features coordinators -- -D warnings
	cargo clippy --quiet --target-dir $(LINT_DIR) -p edgebreaker-component --target wasm32-wasip2 -- -D warnings

# Once everything is installed, two sides run side by side: the Rust side
# (lint, cargo test), which mostly compiles, and the JavaScript side (the
# package, then every suite of host-tests/run.mjs), whose suites mostly wait on
# runtimes and servers. The Rust side runs at the lowest priority, so the
# suites' timers fire on time whatever it compiles, in a process group of its
# own, which the trap stops when the JavaScript side is stopped (Ctrl-C, a TERM
# to make); its output follows the suites'. The suites keep their temporary
# files in memory (run.mjs says why). (The sub-makes are called through
# variables so that `make -n test` prints this recipe instead of running it.)
RUST_SIDE = nice -n 19 $(MAKE) --no-print-directory test-rust
JS_SIDE = $(MAKE) --no-print-directory test-js
test: setup
	@rust_log=$$(mktemp); \
	trap 'kill -TERM -- -$$rust $$js 2>/dev/null; rm -f "$$rust_log"' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM; \
	set -m; (TIMEFORMAT='the rust side took %0R s'; time $(RUST_SIDE)) >"$$rust_log" 2>&1 & rust=$$!; set +m; \
	$(JS_SIDE) & js=$$!; wait $$js; js_status=$$?; js=; \
	echo "waiting for the Rust side (lint, cargo test) to finish"; wait $$rust; rust_status=$$?; rust=; \
	echo; echo "== rust: lint, cargo test"; cat "$$rust_log"; \
	echo "js: $$([ $$js_status = 0 ] && echo passed || echo FAILED) · rust: $$([ $$rust_status = 0 ] && echo passed || echo FAILED)"; \
	[ $$js_status = 0 ] && [ $$rust_status = 0 ]

# The Rust side of `make test`: the lint beside the tests, as each alone leaves
# a core idle for long stretches (one big crate compiling at a time). The two
# cargos draw their compilers from make's job slots: three at most at once.
test-rust:
	$(MAKE) --no-print-directory -j3 lint cargo-test

# The Rust tests. wasmtime's tests load the component, built once the tests
# are: building it holds cargo's lock on target/release, where the JavaScript
# side builds the package's wasm at the start.
cargo-test:
	cargo test --workspace --exclude edgebreaker-native-bench --no-run
	$(MAKE) --no-print-directory component
	cargo test --workspace --exclude edgebreaker-native-bench

# The JavaScript side of `make test`.
test-js: package
	node host-tests/run.mjs

bench: build setup-denokv setup-redis
	cargo run --quiet --release -p edgebreaker-native-bench
	cd js && npm run --silent bench
	cd host-tests && npm run --silent bench
	cargo run --quiet --release -p edgebreaker-wasmtime --bin bench
	node --expose-gc host-tests/bench/fleet.mjs
	node --expose-gc host-tests/bench/fleet-redis.mjs
	node host-tests/bench/fleet-deno.mjs
	node host-tests/bench/soak.mjs

# Coverage-guided fuzzing, not part of `make test`: the core against its
# invariants, the component's boundary, then the JSON reader, FUZZ_SECONDS each (fuzz/README.md).
FUZZ_SECONDS ?= 600
fuzz:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && cargo +nightly fuzz run -O core_ops -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1
	cd fuzz && cargo +nightly fuzz run -O component_boundary -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1
	cd fuzz && cargo +nightly fuzz run -O json_reader -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1

# The demo page, the example edge proxy in workerd (ISOLATES isolates, 3, sharing
# one fleet coordinator) and a fake LLM upstream, on 127.0.0.1. Needs only the
# npm package: no root, no Chromium, no component.
# PAGE_PORT (8080), PROXY_PORT (8787) and UPSTREAM_PORT (8788) move them.
demo: package
	@node host-tests/edge/demo.mjs

# The same proxy and upstream, driven by a script: the upstream fails, the fleet
# opens every isolate, the upstream recovers and the fleet closes them all.
demo-script: package
	@node host-tests/edge/demo.mjs --script

clean:
	cargo clean
	rm -rf fuzz/target
	rm -rf js/wasm js/dist js/README.md js/LICENSE-MIT js/LICENSE-APACHE js/*.tgz www/dist host-tests/*/tmp
