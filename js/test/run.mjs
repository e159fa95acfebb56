// npm test: the package as a user gets it. `npm pack` of js/ (as built by
// `npm run build`), installed from the tarball into a fresh temporary folder;
// the tests are copied beside it and import "edgebreaker" from there, never
// from src/ or dist/ here.
//
//   <tmp>/node_modules/edgebreaker   the installed tarball
//   <tmp>/test/*.test.mjs            js/test/*.test.mjs
//   <tmp>/test/ts/*.js               js/test/ts/*.ts, compiled by tsc against the installed types
//   <tmp>/shared/*.js                host-tests/shared/*.js (runtime-neutral: vectors, fuzz)
//   <tmp>/vectors.js                 host-tests/vectors/*.json as one module
//   <tmp>/readme/*                   the snippets of the README in the tarball
//
// EDGEBREAKER_KEEP=1 keeps the folder for a look afterwards.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { packAndInstall } from "../../host-tests/harness/packed.mjs";

const js = join(dirname(fileURLToPath(import.meta.url)), "..");

if (!existsSync(join(js, "dist", "index.js"))) {
  console.error("js/dist/ is missing: run `make build` (or `make wasm && npm run build`) first.");
  process.exit(1);
}

const run = (command, args, cwd) => execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
let status = 1;
let consumer;
try {
  // The tarball installed, beside host-tests/shared and the vectors as a module.
  consumer = packAndInstall();
  cpSync(join(js, "test"), join(consumer, "test"), { recursive: true, filter: (path) => !path.endsWith("run.mjs") });

  // TypeScript tests: decorators and `using` as users write them, compiled
  // against the installed package's types (so the types are tested too).
  const tsDir = join(consumer, "test", "ts");
  writeFileSync(join(tsDir, "tsconfig.json"), JSON.stringify(tsconfigFor(["*.ts"])));
  run(join(js, "node_modules", ".bin", "tsc"), ["-p", tsDir], consumer);

  // The README's snippets, from the README the tarball ships: .mjs as they
  // are, .ts compiled by the tsconfig.json the README gives (in an ES-module
  // package, as the README says); readme.test.mjs runs each one.
  const readmeDir = join(consumer, "readme");
  mkdirSync(readmeDir);
  const readme = readFileSync(join(consumer, "node_modules", "edgebreaker", "README.md"), "utf8");
  for (const [, name, code] of readme.matchAll(/<!-- snippet: (\S+) -->\n```\w*\n([\s\S]*?)```/g)) {
    writeFileSync(join(readmeDir, name), code);
  }
  writeFileSync(join(readmeDir, "package.json"), JSON.stringify({ type: "module" }));
  run(join(js, "node_modules", ".bin", "tsc"), ["-p", readmeDir], consumer);

  const testFiles = readdirSync(join(consumer, "test"))
    .filter((file) => file.endsWith(".test.mjs"))
    .sort()
    .map((file) => join("test", file));
  status = spawnSync(process.execPath, ["--test", ...testFiles], { cwd: consumer, stdio: "inherit" }).status ?? 1;
} catch (error) {
  console.error(error.message);
  if (error.stdout) console.error(error.stdout);
} finally {
  if (process.env.EDGEBREAKER_KEEP) console.error(`kept ${consumer}`);
  else if (consumer) rmSync(consumer, { recursive: true, force: true });
}
process.exit(status);

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
