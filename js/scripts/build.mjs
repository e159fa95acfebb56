// npm run build: js/wasm/ (from `make wasm`) and src/ into dist/.
//   1. wasm-opt -Oz the wasm from `make wasm`     -> dist/wasm/edgebreaker{,_lite,_fleet}_bg.wasm
//   2. copy the wasm-bindgen glue                 -> dist/wasm/edgebreaker{,_fleet}.{js,d.ts}
//      (lite's wasm has none: src/lite/wasm.ts is its glue),
//      and the core's name lists as values       -> dist/wasm/core-names.{js,d.ts} (scripts/core-names.mjs)
//   3. the #wasm-module, #lite-wasm-module and    -> dist/wasm/{,lite-,fleet-}module-*.js, {,lite-,fleet-}module.d.ts
//      #fleet-wasm-module variants, one per way a runtime gets its compiled wasm
//      (scripts/wasm-modules.mjs; package.json "imports" picks one per runtime)
//   4. tsc                                        -> dist/*.js, dist/*.d.ts
//   5. bundle one file per runtime and entry (scripts/entries.mjs) -> dist/{index,browser,workerd,lite,…}.js
//   6. print raw and gzip sizes: the parts, then each entry as an app ships it (scripts/sizes.mjs).
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { writeCoreNames } from "./core-names.mjs";
import { bundleEntries } from "./entries.mjs";
import { measureParts, printSizes } from "./sizes.mjs";
import { writeWasmModules } from "./wasm-modules.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const generated = join(root, "wasm");
const dist = join(root, "dist");
const bin = (name) => join(root, "node_modules", ".bin", name);

// The breakers' wasm, edgebreaker/lite's and the fleet coordinators' (the Makefile's `wasm` target), each
// with the prefix of its `#wasm-module` variants' files, whether a browser may load it, and whether
// wasm-bindgen made its glue.
const wasms = [
  { name: "edgebreaker", prefix: "", browsers: true },
  { name: "edgebreaker_lite", prefix: "lite-", browsers: true, glue: false },
  { name: "edgebreaker_fleet", prefix: "fleet-", browsers: false },
];
const missing = wasms.find(({ name }) => !existsSync(join(generated, `${name}_bg.wasm`)));
if (missing !== undefined) {
  console.error(`js/wasm/${missing.name}_bg.wasm is missing: run \`make wasm\` (or \`make build\`) from the repository root first.`);
  process.exit(1);
}
rmSync(dist, { recursive: true, force: true });
// The package's README and licenses are the repository's: one copy of every
// snippet (the tests run them from the packed package), and of each license.
for (const file of ["README.md", "LICENSE-MIT", "LICENSE-APACHE"]) copyFileSync(join(root, "..", file), join(root, file));
mkdirSync(join(dist, "wasm"), { recursive: true });

// The features rustc enables by default for wasm32-unknown-unknown; wasm-opt
// must be told, and must not add others (every runtime has to load the result).
const features = [
  "--enable-bulk-memory",
  "--enable-bulk-memory-opt",
  "--enable-nontrapping-float-to-int",
  "--enable-sign-ext",
  "--enable-mutable-globals",
  "--enable-reference-types",
  "--enable-multivalue",
];
for (const { name, prefix, browsers, glue = true } of wasms) {
  const wasmFile = `${name}_bg.wasm`;
  execFileSync(bin("wasm-opt"), ["-Oz", ...features, join(generated, wasmFile), "-o", join(dist, "wasm", wasmFile)], {
    stdio: "inherit",
  });
  if (glue) for (const file of [`${name}.js`, `${name}.d.ts`]) copyFileSync(join(generated, file), join(dist, "wasm", file));
  writeWasmModules(join(dist, "wasm"), wasmFile, prefix, browsers);
}
writeCoreNames(join(dist, "wasm"));

execFileSync(bin("tsc"), ["-p", join(root, "tsconfig.json")], { stdio: "inherit" });

const parts = measureParts(dist);
await bundleEntries(dist);
await printSizes(dist, parts);
console.log(`  built ${relative(process.cwd(), dist) || "."}/`);
