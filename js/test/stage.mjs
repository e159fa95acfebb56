// The Node API suite (`node host-tests/run.mjs js`): the package as a user gets
// it. host-tests/run.mjs packs js/ (as built by `npm run build`) and installs
// the tarball into a fresh temporary folder; this stages the tests beside it,
// where they import "edgebreaker" from there, never from src/ or dist/ here.
//
//   <tmp>/node_modules/edgebreaker   the installed tarball
//   <tmp>/test/*.test.mjs            js/test/*.test.mjs
//   <tmp>/test/ts/*.js               js/test/ts/*.ts, compiled by tsc against the installed types
//   <tmp>/test/glue/edgebreaker_fleet.js   the coordinators' wasm-bindgen glue (fleet.test.mjs's coordinator)
//   <tmp>/node_modules/@opentelemetry  js/'s @opentelemetry/api and sdk-metrics (dev dependencies), as a
//                                    user of "edgebreaker/opentelemetry" installs them beside the package
//   <tmp>/shared/*.js                host-tests/shared/*.js (runtime-neutral: vectors, fuzz, hooks)
//   <tmp>/vectors.js                 host-tests/vectors/*.json as one module
//   <tmp>/readme/*                   the snippets of the README in the tarball
//   <tmp>/node_modules/<parser>      js/'s devDependencies a test parses output with (PARSERS)
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readmeSnippets } from "../../host-tests/harness/snippets.mjs";

const js = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(js, "node_modules", ".bin", "tsc");
/** js/'s devDependencies (with their dependencies) that tests import: prometheus.test.mjs's real parser. */
const PARSERS = ["parse-prometheus-text-format", "shallow-equal"];

/** Stages js/test in the consumer folder; returns the test files, relative to it. */
export function stageNodeApiTests(consumer) {
  const compile = (project) => execFileSync(tsc, ["-p", project], { cwd: consumer, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  cpSync(join(js, "test"), join(consumer, "test"), { recursive: true, filter: (path) => !path.endsWith("stage.mjs") });
  // The coordinators' wasm-bindgen glue, which the package bundles into its fleet entries: fleet.test.mjs runs a
  // coordinator with it (WasmFleetCoordinator, not exported by the package) on the installed tarball's wasm.
  cpSync(join(js, "wasm", "edgebreaker_fleet.js"), join(consumer, "test", "glue", "edgebreaker_fleet.js"));
  // The optional peer dependency and the SDK (opentelemetry.test.mjs), before the TypeScript tests compile against them.
  cpSync(join(js, "node_modules", "@opentelemetry"), join(consumer, "node_modules", "@opentelemetry"), { recursive: true });
  for (const parser of PARSERS) cpSync(join(js, "node_modules", parser), join(consumer, "node_modules", parser), { recursive: true });

  // TypeScript tests: decorators and `using` as users write them, compiled
  // against the installed package's types (so the types are tested too).
  const tsDir = join(consumer, "test", "ts");
  writeFileSync(join(tsDir, "tsconfig.json"), JSON.stringify(tsconfigFor(["*.ts"])));
  compile(tsDir);

  // The README's snippets, from the README the tarball ships: .mjs as they
  // are, .ts compiled by the tsconfig.json the README gives (in an ES-module
  // package, as the README says); readme.test.mjs runs each one.
  const readmeDir = join(consumer, "readme");
  mkdirSync(readmeDir);
  for (const [name, code] of readmeSnippets(join(consumer, "node_modules", "edgebreaker", "README.md"))) {
    writeFileSync(join(readmeDir, name), code);
  }
  writeFileSync(join(readmeDir, "package.json"), JSON.stringify({ type: "module" }));
  compile(readmeDir);

  return readdirSync(join(consumer, "test"))
    .filter((file) => file.endsWith(".test.mjs"))
    .sort()
    .map((file) => join("test", file));
}

/** How a TypeScript user on Node compiles: strict, ES2022 output (so `using` and decorators are compiled). */
function tsconfigFor(include) {
  return {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022", "DOM", "ESNext.Disposable", "ESNext.Decorators"],
      types: [],
      strict: true,
      noEmitOnError: true,
    },
    include,
  };
}
