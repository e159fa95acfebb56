// Cold start in Node: import + init + first call, each run in a fresh process,
// for edgebreaker and edgebreaker/lite (the packed tarball, as users install
// it) beside opossum and cockatiel (js/'s devDependencies), each running its
// minimal program (harness/first-call.mjs). Prints the median and the fastest
// of RUNS (default 21), and the target (issue 13) for each of edgebreaker's
// entries: its median ≤ opossum's.
//
//   node host-tests/bench/cold-start.mjs [runs]      (after `make build`; about 30 s)
//
// The clock starts in the child just before its dynamic import, so node's own
// start-up is left out for every library alike; a bare process's time from
// start to that point is printed as well, for scale.

import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileName, firstCallModule, libraries, linkPeers, ours } from "../harness/first-call.mjs";
import { packAndInstall } from "../harness/packed.mjs";
import { shuffled } from "../harness/shuffled.mjs";
import { verdict } from "./fleet-figures.mjs";

const runs = Number(process.argv[2] ?? 21);
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a whole number ≥ 1; got ${process.argv[2]}`);

// Each program imports its library's first-call module (harness/first-call.mjs:
// import the library, build a breaker, settle one call through it) and calls it.
const timed = (library) => `const start = performance.now();
const { firstCall } = await import("./${fileName(library)}-first-call.mjs");
await firstCall();
console.log(performance.now() - start);
`;

const folder = packAndInstall();
try {
  linkPeers(folder);
  for (const library of Object.keys(libraries)) {
    writeFileSync(join(folder, `${fileName(library)}-first-call.mjs`), firstCallModule(library));
    writeFileSync(join(folder, `${fileName(library)}.mjs`), timed(library));
  }
  writeFileSync(join(folder, "bare.mjs"), "console.log(performance.now());\n");

  // Every library once a run, in an order shuffled for each run.
  const files = [...Object.keys(libraries), "bare"];
  const samples = Object.fromEntries(files.map((name) => [name, []]));
  for (let run = 0; run < runs; run += 1) {
    for (const name of shuffled(files)) {
      samples[name].push(Number(execFileSync(process.execPath, [`${fileName(name)}.mjs`], { cwd: folder, encoding: "utf8" })));
    }
  }
  // The fastest run beside the median: on a shared, busy machine it is the steadier of the two.
  const sorted = (name) => samples[name].toSorted((a, b) => a - b);
  const median = (name) => sorted(name)[Math.floor(runs / 2)];
  const fastest = (name) => sorted(name)[0];

  console.log(`cold start in Node ${process.version}: import + init + first call, ${runs} fresh processes each`);
  console.log(`  ${"".padEnd(16)} ${"median".padStart(9)} ${"fastest".padStart(9)}`);
  for (const library of Object.keys(libraries)) {
    console.log(`  ${library.padEnd(16)} ${median(library).toFixed(1).padStart(6)} ms ${fastest(library).toFixed(1).padStart(6)} ms`);
  }
  console.log(`  (a bare node process takes ${median("bare").toFixed(1)} ms to reach its first line)`);
  for (const entry of ours) {
    const ratio = (of) => `${(of(entry) / of("opossum")).toFixed(2)}×`;
    console.log(
      `  target ${entry} ≤ opossum (median): ${verdict(median(entry) <= median("opossum"))} ` +
        `(${ratio(median)} opossum's median, ${ratio(fastest)} its fastest)`,
    );
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
