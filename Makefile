# edgebreaker: `make demo` to see it work, `make test` to prove it.
# Every target installs what it needs first (`setup` is idempotent).

WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' crate/wasm/Cargo.toml)
CORE_WASM := target/wasm32-unknown-unknown/release/edgebreaker_wasm.wasm

.PHONY: setup build wasm lint test bench demo demo-script clean

setup:
	@scripts/setup.sh $(WASM_BINDGEN_VERSION)

# The Rust core as wasm with its JS glue, in js/wasm/ (the npm package builds on it).
wasm: setup
	cargo build -p edgebreaker-wasm --target wasm32-unknown-unknown --release
	wasm-bindgen --target web --out-dir js/wasm --out-name edgebreaker $(CORE_WASM)

# The npm package (js/dist/) and the WebAssembly component for plugin hosts.
build: wasm
	cd js && npm run --silent build
	cargo build -p edgebreaker-component --target wasm32-wasip2 --release

# No unwrap, expect, panic, unchecked indexing or overflowing arithmetic in the
# core and bindings (Cargo.toml's lints), checked for each target they run on.
lint: setup
	cargo clippy --quiet --workspace --all-targets -- -D warnings
	cargo clippy --quiet -p edgebreaker-wasm --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --quiet -p edgebreaker-component --target wasm32-wasip2 -- -D warnings

test: build lint
	cargo test --workspace --exclude edgebreaker-native-bench
	cd js && npm test
	cd host-tests && npm test
	node host-tests/edge/run.mjs
	node --test host-tests/www/demo.test.mjs

bench: build
	cargo run --quiet --release -p edgebreaker-native-bench
	cd js && npm run --silent bench
	cd host-tests && npm run --silent bench
	cargo run --quiet --release -p edgebreaker-wasmtime --bin bench

# The demo page, the example edge proxy in workerd and a fake LLM upstream, on 127.0.0.1.
demo: build
	scripts/demo.sh

# The same proxy and upstream, driven by a script: the upstream fails and recovers.
demo-script: build
	node host-tests/edge/demo.mjs --script

clean:
	cargo clean
	rm -rf js/wasm js/dist js/README.md www/dist host-tests/*/tmp
