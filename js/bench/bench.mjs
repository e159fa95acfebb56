// npm run bench: the overhead of protecting an async call, in one Node process.
// Each round times every contender once (in a shuffled order, so no one always
// runs first or last), in slices taken in turn, so that a round's contenders
// share what a busy machine does meanwhile; the figures are the median over
// rounds and the fastest round (the least disturbed). Overhead is a
// contender's ns/call minus the bare `await fn()` of the same statistic.
//
//   bare        await fn()
//   floor       what any breaker on this core must do: one acquireIfClosed and
//               one record into the package's wasm, one Date.now() and one promise
//               reaction on fn's promise (two handlers made once: the calls here
//               are one at a time, so the permit waits in a variable)
//   edgebreaker await breaker.call(fn)
//   edgebreaker/lite  the same on edgebreaker/lite (the same JS path, on its own wasm)
//   opossum     await breaker.fire()              timeout off
//   cockatiel   await policy.execute(fn)          ConsecutiveBreaker(5) and SamplingBreaker
//
// Then, round by round (each contender against the bare await of its own
// round), the overhead of each of edgebreaker's entries over cockatiel
// Consecutive's (the cheapest peer), and edgebreaker's over the floor's (which
// drives the main entry's wasm): their spread, and in how many rounds each
// entry's ratio to the peer was at most 1.00x.
import { readFileSync } from "node:fs";
import { circuitBreaker as cockatielBreaker, ConsecutiveBreaker, handleAll, SamplingBreaker } from "cockatiel";
import Opossum from "opossum";
import { CircuitBreaker } from "../dist/index.js";
import { CircuitBreaker as LiteCircuitBreaker } from "../dist/lite.js";
import { initSync, WasmBreaker } from "../wasm/edgebreaker.js";

const CALLS = Number(process.env.BENCH_CALLS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 41);
const SLICES = Number(process.env.BENCH_SLICES ?? 10);

async function upstream() {
  return 1;
}

const edgebreaker = new CircuitBreaker({ name: "bench" });
const lite = new LiteCircuitBreaker({ name: "bench" });
const opossum = new Opossum(upstream, { timeout: false });
const consecutive = cockatielBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) });
const sampling = cockatielBreaker(handleAll, {
  halfOpenAfter: 60_000,
  breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000 }),
});

// The floor drives a core of its own: the wasm-bindgen glue (js/wasm, from
// `make wasm`) over the wasm the package ships (dist/wasm).
initSync({ module: readFileSync(new URL("../dist/wasm/edgebreaker_bg.wasm", import.meta.url)) });
const floorCore = new WasmBreaker(new Float64Array(0)); // no option given (no mask): every default
const UNTIMED = -1; // the acquire time of a permit from acquireIfClosed
let floorToken = 0;
const floorFulfilled = () => floorCore.record(floorToken, UNTIMED, 0, Date.now());
const floorRejected = () => floorCore.record(floorToken, UNTIMED, 1, Date.now());

const BARE = "bare await fn()";
const FLOOR = "floor (core + clock)";
const OURS = "edgebreaker call(fn)";
const LITE = "edgebreaker/lite call(fn)";
const CHEAPEST_PEER = "cockatiel Consecutive";
const contenders = {
  [BARE]: async (n) => {
    for (let i = 0; i < n; i++) await upstream();
  },
  [FLOOR]: async (n) => {
    for (let i = 0; i < n; i++) {
      floorToken = floorCore.acquireIfClosed();
      const promise = upstream();
      promise.then(floorFulfilled, floorRejected);
      await promise;
    }
  },
  [OURS]: async (n) => {
    for (let i = 0; i < n; i++) await edgebreaker.call(upstream);
  },
  [LITE]: async (n) => {
    for (let i = 0; i < n; i++) await lite.call(upstream);
  },
  "opossum fire()": async (n) => {
    for (let i = 0; i < n; i++) await opossum.fire();
  },
  [CHEAPEST_PEER]: async (n) => {
    for (let i = 0; i < n; i++) await consecutive.execute(upstream);
  },
  "cockatiel Sampling": async (n) => {
    for (let i = 0; i < n; i++) await sampling.execute(upstream);
  },
};

async function timeSlice(run, calls) {
  const start = process.hrtime.bigint();
  await run(calls);
  return Number(process.hrtime.bigint() - start);
}

const names = Object.keys(contenders);
for (const name of names) await contenders[name](CALLS); // warm up every path before timing any
const samples = Object.fromEntries(names.map((name) => [name, []]));
const sliceCalls = Math.ceil(CALLS / SLICES);
for (let round = 0; round < ROUNDS; round++) {
  const order = [...names].sort(() => Math.random() - 0.5);
  const ns = Object.fromEntries(names.map((name) => [name, 0]));
  globalThis.gc?.();
  for (let slice = 0; slice < SLICES; slice++) {
    for (const name of order) ns[name] += await timeSlice(contenders[name], sliceCalls);
  }
  for (const name of names) samples[name].push(ns[name] / (sliceCalls * SLICES));
}
opossum.shutdown();

const sorted = (values) => [...values].sort((a, b) => a - b);
const statistics = {
  median: (values) => sorted(values)[Math.floor(values.length / 2)],
  fastest: (values) => Math.min(...values),
};
console.log(`Node ${process.version}, ${sliceCalls * SLICES} sequential awaited calls per round in ${SLICES} slices, ${ROUNDS} interleaved rounds`);
const verdicts = [];
const ratiosToPeer = { [OURS]: {}, [LITE]: {} };
for (const [statistic, of] of Object.entries(statistics)) {
  const ns = Object.fromEntries(names.map((name) => [name, of(samples[name])]));
  const overhead = (name) => ns[name] - ns[BARE];
  const ours = overhead(OURS);
  console.log(`\n${statistic} round:${"".padEnd(26 - statistic.length - 7)}${"ns/call".padStart(9)}${"overhead".padStart(10)}   edgebreaker's overhead / this one's`);
  for (const name of names) {
    const compared = name !== BARE && name !== OURS;
    const extra = name === BARE ? "" : `+${overhead(name).toFixed(1)}`;
    console.log(`${name.padEnd(26)}${ns[name].toFixed(1).padStart(9)}${extra.padStart(10)}   ${compared ? `${(ours / overhead(name)).toFixed(2)}x` : ""}`);
  }
  for (const entry of [OURS, LITE]) ratiosToPeer[entry][statistic] = overhead(entry) / overhead(CHEAPEST_PEER);
  verdicts.push(
    `${statistic}: overhead <= cockatiel Sampling's: ${ours <= overhead("cockatiel Sampling") ? "met" : "NOT met"}; ` +
      `< 0.15x opossum's: ${ours < 0.15 * overhead("opossum fire()") ? "met" : "NOT met"}`,
  );
}
console.log(`\ntargets (issue 2):\n  ${verdicts.join("\n  ")}`);

// Round by round: each overhead against the bare await of the same round.
const perRound = (name) => samples[name].map((ns, round) => ns - samples[BARE][round]);
const [ourRounds, peerRounds, floorRounds] = [OURS, CHEAPEST_PEER, FLOOR].map(perRound);
const overPeer = (entry) => perRound(entry).map((ns, round) => ns / peerRounds[round]);
const overFloor = ourRounds.map((ours, round) => ours - floorRounds[round]);
const SPREAD_POINTS = { min: 0, p10: 0.1, p25: 0.25, median: 0.5, p75: 0.75, p90: 0.9, max: 1 };
const spread = (values, digits, unit) => {
  const ordered = sorted(values);
  const at = (share) => ordered[Math.min(ordered.length - 1, Math.floor(share * ordered.length))];
  return Object.entries(SPREAD_POINTS)
    .map(([point, share]) => `${point} ${at(share).toFixed(digits)}${unit}`)
    .join(", ");
};
console.log(`\nround by round, ${ROUNDS} rounds:`);
console.log(`  edgebreaker's overhead / cockatiel Consecutive's:      ${spread(overPeer(OURS), 2, "x")}`);
console.log(`  edgebreaker/lite's overhead / cockatiel Consecutive's: ${spread(overPeer(LITE), 2, "x")}`);
console.log(`  edgebreaker's overhead - the floor's:                  ${spread(overFloor, 1, " ns")}`);
console.log(`\ntarget (issue 13): call overhead <= cockatiel Consecutive's (<= 1.00x)`);
for (const entry of [OURS, LITE]) {
  const { median, fastest } = ratiosToPeer[entry];
  const heldRounds = overPeer(entry).filter((ratio) => ratio <= 1).length;
  console.log(
    `  ${entry}: median round: ${median.toFixed(2)}x, ${median <= 1 ? "met" : "NOT met"}; fastest round: ${fastest.toFixed(2)}x; ` +
      `held in ${heldRounds} of ${ROUNDS} rounds (${Math.round((100 * heldRounds) / ROUNDS)}%)`,
  );
}
