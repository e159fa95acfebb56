# edgebreaker: `make demo` to see it work, `make test` to prove it.
# Every target installs what it needs first (scripts/setup.sh, idempotent);
# only `make setup` and `make test` need root (Chromium, from apt).

WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' crate/wasm/Cargo.toml)
CORE_WASM := target/wasm32-unknown-unknown/release/edgebreaker_wasm.wasm
SETUP := @scripts/setup.sh $(WASM_BINDGEN_VERSION)

.PHONY: setup build wasm package pack lint test bench fuzz demo demo-script clean

# Everything `make test` needs.
setup:
	$(SETUP) package component lint browser

# The Rust core as wasm with its JS glue, in js/wasm/ (the npm package builds on it).
wasm:
	$(SETUP) package
	cargo build -p edgebreaker-wasm --target wasm32-unknown-unknown --release
	wasm-bindgen --target web --out-dir js/wasm --out-name edgebreaker $(CORE_WASM)

# The npm package (js/dist/).
package: wasm
	cd js && npm run --silent build

# The npm package and the WebAssembly component for plugin hosts.
build: package
	$(SETUP) component
	cargo build -p edgebreaker-component --target wasm32-wasip2 --release

# The npm package as a tarball, for `npm install <path>` until it is published:
# the last line printed is the tarball's absolute path.
pack: package
	@cd js && echo "$$PWD/$$(npm pack --silent --ignore-scripts | tail -n 1)"

# No unwrap, expect, panic, unchecked indexing or overflowing arithmetic in the
# core and bindings (Cargo.toml's lints), checked for each target they run on.
lint:
	$(SETUP) lint
	cargo clippy --quiet --workspace --all-targets -- -D warnings
	cargo clippy --quiet -p edgebreaker-wasm --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --quiet -p edgebreaker-component --target wasm32-wasip2 -- -D warnings

test: setup build lint
	cargo test --workspace --exclude edgebreaker-native-bench
	node host-tests/run.mjs

bench: build
	cargo run --quiet --release -p edgebreaker-native-bench
	cd js && npm run --silent bench
	cd host-tests && npm run --silent bench
	cargo run --quiet --release -p edgebreaker-wasmtime --bin bench
	node host-tests/bench/soak.mjs

# Coverage-guided fuzzing, not part of `make test`: the core against its
# invariants, then the component's boundary, FUZZ_SECONDS each (fuzz/README.md).
FUZZ_SECONDS ?= 600
fuzz:
	@rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && cargo +nightly fuzz run -O core_ops -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1
	cd fuzz && cargo +nightly fuzz run -O component_boundary -- -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1

# The demo page, the example edge proxy in workerd and a fake LLM upstream, on
# 127.0.0.1. Needs only the npm package: no root, no Chromium, no component.
# PAGE_PORT (8080), PROXY_PORT (8787) and UPSTREAM_PORT (8788) move them.
demo: package
	@node host-tests/edge/demo.mjs

# The same proxy and upstream, driven by a script: the upstream fails and recovers.
demo-script: package
	@node host-tests/edge/demo.mjs --script

clean:
	cargo clean
	rm -rf fuzz/target
	rm -rf js/wasm js/dist js/README.md js/LICENSE-MIT js/LICENSE-APACHE js/*.tgz www/dist host-tests/*/tmp
