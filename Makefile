# edgebreaker: `make demo` to see it work, `make test` to prove it.
# Every target installs what it needs first (`setup` is idempotent).

WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' crate/wasm/Cargo.toml)
CORE_WASM := target/wasm32-unknown-unknown/release/edgebreaker_wasm.wasm

.PHONY: setup build wasm test bench demo clean

setup:
	@scripts/setup.sh $(WASM_BINDGEN_VERSION)

# The Rust core as wasm with its JS glue, in js/wasm/ (the npm package builds on it).
wasm: setup
	cargo build -p edgebreaker-wasm --target wasm32-unknown-unknown --release
	wasm-bindgen --target web --out-dir js/wasm --out-name edgebreaker $(CORE_WASM)

build: wasm
	cd js && npm run --silent build

test: build
	cargo test --workspace
	cd js && npm test

bench: build
	cargo bench -p edgebreaker-core
	cd js && npm run --silent bench

demo: build
	cd js && npm run --silent demo

clean:
	cargo clean
	rm -rf js/wasm js/dist
