// Cold start in workerd: import + init + first call in a fresh isolate, for
// edgebreaker and edgebreaker/lite (the packed tarball, as users install it)
// beside opossum and cockatiel, each the minimal Worker of
// harness/first-call.mjs built by wrangler (`deploy --dry-run`, offline) and
// run in Miniflare. Prints the median and the fastest of ROUNDS (default 15).
//
//   node host-tests/bench/cold-start-workerd.mjs [rounds]      (after `make build`; about 30 s)
//
// What can be timed. On Cloudflare, performance.now() and Date.now() advance
// only on I/O (a Spectre mitigation), so a deployed Worker cannot time its own
// start. workerd as Miniflare runs it lets the clock advance while code runs,
// but in whole milliseconds. So each library's Worker sits behind a small
// entry module that starts the clock, dynamically imports the wrangler-built
// module and awaits its first call: workerd parses, compiles and evaluates a
// module when it is first imported, so the import is inside the clock; a
// .wasm module, though, workerd compiles when it loads the Worker, before any
// request, so edgebreaker's wasm compilation (not its instantiation) is
// outside it. Beside that in-isolate figure (1 ms steps), the host's clock
// times the same first request from dispatch to response, in microseconds,
// with the round trip through Miniflare included; a Worker that imports
// nothing gives that round trip's own cost.
//
// Each round is one workerd process with one isolate per library, each asked
// once, in a shuffled order, so that a noisy moment hits every library alike.

import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { fileName, firstCallModule, libraries, linkPeers, ours } from "../harness/first-call.mjs";
import { workerModules } from "../harness/bundle.mjs";
import { packAndInstall } from "../harness/packed.mjs";
import { shuffled } from "../harness/shuffled.mjs";
import { COMPATIBILITY_DATE, why, wranglerDryRun } from "../harness/wrangler.mjs";
import { median, verdict } from "./fleet-figures.mjs";

const rounds = Number(process.argv[2] ?? 15);
if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be a whole number ≥ 1; got ${process.argv[2]}`);

const BARE = "bare Worker";

// The clock starts before the import; the answer carries what it read.
const timedEntry = (imported) => `export default {
  async fetch() {
    const start = performance.now();
    ${imported ? `const { firstCall } = await import("./minimal/worker.js");\n    await firstCall();` : ""}
    return Response.json({ ms: performance.now() - start });
  },
};
`;

/** Each library's Worker, built, in `workers`; in `unbuilt`, why one cannot be. */
function buildWorkers(consumer) {
  const workers = {};
  const unbuilt = {};
  for (const [library, { compatibilityFlags = [] }] of Object.entries(libraries)) {
    const folder = join(consumer, fileName(library));
    mkdirSync(folder);
    writeFileSync(join(folder, "worker.js"), firstCallModule(library));
    try {
      wranglerDryRun({ folder, main: "worker.js", outdir: join(folder, "entry", "minimal"), compatibilityFlags });
      writeFileSync(join(folder, "entry", "entry.js"), timedEntry(true));
      workers[library] = { folder: join(folder, "entry"), compatibilityFlags };
    } catch (error) {
      unbuilt[library] = `wrangler cannot build it: ${why(error)}`;
    }
  }
  const bare = join(consumer, "bare");
  mkdirSync(bare);
  writeFileSync(join(bare, "entry.js"), timedEntry(false));
  workers[BARE] = { folder: bare, compatibilityFlags: [] };
  return { workers, unbuilt };
}

/**
 * One round: a fresh workerd with an isolate per Worker, each asked once in a
 * shuffled order. Returns each one's figures, or the error it answered with.
 */
async function round(workers) {
  const names = Object.keys(workers);
  const miniflare = new Miniflare({
    workers: names.map((name, index) => ({
      name: `worker-${index}`,
      ...workerModules(workers[name].folder, "entry.js"),
      compatibilityDate: COMPATIBILITY_DATE,
      compatibilityFlags: workers[name].compatibilityFlags,
    })),
  });
  try {
    await miniflare.ready;
    const handles = await Promise.all(names.map((_, index) => miniflare.getWorker(`worker-${index}`)));
    const figures = {};
    for (const index of shuffled(names.map((_, index) => index))) {
      const start = performance.now();
      // Miniflare's handle throws what the Worker threw, as a rejection.
      const answer = await handles[index].fetch("http://cold-start.test/").catch((error) => ({ error }));
      const roundTrip = performance.now() - start;
      if (answer.error) figures[names[index]] = { error: why(answer.error) };
      else if (!answer.ok) figures[names[index]] = { error: why(await answer.text()) };
      else figures[names[index]] = { inIsolate: (await answer.json()).ms, roundTrip };
    }
    return figures;
  } finally {
    await miniflare.dispose();
  }
}

const consumer = packAndInstall();
try {
  linkPeers(consumer);
  const { workers, unbuilt } = buildWorkers(consumer);
  const samples = Object.fromEntries(Object.keys(workers).map((name) => [name, { inIsolate: [], roundTrip: [] }]));
  for (let index = 0; index < rounds; index += 1) {
    const figures = await round(workers);
    for (const [name, { inIsolate, roundTrip, error }] of Object.entries(figures)) {
      if (error) {
        // A library that cannot start in workerd is said so, and left out of the rounds after.
        unbuilt[name] = `does not start in workerd: ${error}`;
        delete workers[name];
        continue;
      }
      samples[name].inIsolate.push(inIsolate);
      samples[name].roundTrip.push(roundTrip);
    }
  }

  const fastest = (values) => Math.min(...values);
  const inIsolate = (name, of) => `${of(samples[name].inIsolate).toFixed(0)} ms`;
  const roundTrip = (name, of) => `${of(samples[name].roundTrip).toFixed(2)} ms`;
  console.log(`cold start in workerd (Miniflare): import + init + first call, ${rounds} fresh isolates each, interleaved`);
  console.log(`  ${"".padEnd(16)} ${"in the isolate (1 ms steps)".padStart(28)}   ${"first request, host's clock".padStart(28)}`);
  console.log(`  ${"".padEnd(16)} ${"median".padStart(13)} ${"fastest".padStart(14)}   ${"median".padStart(13)} ${"fastest".padStart(14)}`);
  for (const name of [...Object.keys(libraries), BARE]) {
    if (unbuilt[name]) {
      console.log(`  ${name.padEnd(16)} ${unbuilt[name]}`);
      continue;
    }
    const flags = workers[name].compatibilityFlags.length ? `   (with ${workers[name].compatibilityFlags.join(", ")})` : "";
    console.log(
      `  ${name.padEnd(16)} ${inIsolate(name, median).padStart(13)} ${inIsolate(name, fastest).padStart(14)}   ${roundTrip(name, median).padStart(13)} ${roundTrip(name, fastest).padStart(14)}${flags}`,
    );
  }
  console.log("  (workerd compiles a .wasm module as it loads the Worker, before the clock starts; what V8 compiles at a function's first call is inside)");
  const libraryFigures = Object.keys(libraries).flatMap((name) => samples[name]?.inIsolate ?? []);
  if (libraryFigures.length && libraryFigures.every((ms) => ms === 0)) {
    console.log("  (the isolate's clock never advanced: this workerd holds it still while code runs, as Cloudflare does, so only the host's figures mean anything)");
  }
  const lessBare = (name) => median(samples[name].roundTrip) - median(samples[BARE].roundTrip);
  for (const entry of ours) {
    if (workers[entry] && workers.opossum) {
      const [mine, theirs] = [lessBare(entry), lessBare("opossum")];
      console.log(
        `  target ${entry} ≤ opossum (first request's median less the bare Worker's): ${verdict(mine <= theirs)} ` +
          `(${mine.toFixed(2)} ms against ${theirs.toFixed(2)} ms, ${(mine / theirs).toFixed(2)}×)`,
      );
    } else {
      console.log(`  target ${entry} ≤ opossum: no figure, one of them does not run in workerd`);
    }
  }
} finally {
  rmSync(consumer, { recursive: true, force: true });
}
