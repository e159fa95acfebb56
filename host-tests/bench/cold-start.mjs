// Cold start in Node: import + init + first call, each run in a fresh process,
// for edgebreaker (the packed tarball, as users install it) beside opossum and
// cockatiel (js/'s devDependencies). Prints the median and the fastest of RUNS (default 15).
//
//   node host-tests/bench/cold-start.mjs [runs]      (after `make build`)
//
// The clock starts in the child just before its dynamic import, so node's own
// start-up is left out for every library alike; a bare process's time from
// start to that point is printed as well, for scale.

import { execFileSync } from "node:child_process";
import { rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packAndInstall, repoDir } from "../harness/packed.mjs";

const runs = Number(process.argv[2] ?? 15);
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a whole number ≥ 1; got ${process.argv[2]}`);

// Each program: import the library, build a breaker, settle one call through it.
const programs = {
  edgebreaker: `
    const { CircuitBreaker } = await import("edgebreaker");
    const breaker = new CircuitBreaker();
    await breaker.call(async () => 1);`,
  opossum: `
    const { default: CircuitBreaker } = await import("opossum");
    const breaker = new CircuitBreaker(async () => 1);
    await breaker.fire();
    breaker.shutdown();`,
  cockatiel: `
    const { circuitBreaker, handleAll, ConsecutiveBreaker } = await import("cockatiel");
    const policy = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
    await policy.execute(async () => 1);`,
};

const folder = packAndInstall();
try {
  for (const library of ["opossum", "cockatiel"]) {
    symlinkSync(join(repoDir, "js", "node_modules", library), join(folder, "node_modules", library), "dir");
  }
  const timed = (body) => `const start = performance.now();\n${body}\nconsole.log(performance.now() - start);\n`;
  for (const [library, body] of Object.entries(programs)) {
    writeFileSync(join(folder, `${library}.mjs`), timed(body));
  }
  writeFileSync(join(folder, "bare.mjs"), "console.log(performance.now());\n");

  // Round-robin, so that a noisy moment on the machine hits every library alike.
  const files = [...Object.keys(programs), "bare"];
  const samples = Object.fromEntries(files.map((name) => [name, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const name of files) {
      samples[name].push(Number(execFileSync(process.execPath, [`${name}.mjs`], { cwd: folder, encoding: "utf8" })));
    }
  }
  // The fastest run beside the median: on a shared, busy machine it is the steadier of the two.
  const sorted = (name) => samples[name].toSorted((a, b) => a - b);
  const median = (name) => sorted(name)[Math.floor(runs / 2)].toFixed(1);
  const fastest = (name) => sorted(name)[0].toFixed(1);

  console.log(`cold start in Node ${process.version}: import + init + first call, ${runs} fresh processes each`);
  console.log(`  ${"".padEnd(12)} ${"median".padStart(9)} ${"fastest".padStart(9)}`);
  for (const library of Object.keys(programs)) {
    console.log(`  ${library.padEnd(12)} ${median(library).padStart(6)} ms ${fastest(library).padStart(6)} ms`);
  }
  console.log(`  (a bare node process takes ${median("bare")} ms to reach its first line)`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
