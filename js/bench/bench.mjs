// npm run bench: the overhead of protecting an async call, in one Node process.
// Each round times every contender once (in a shuffled order, so no one always
// runs first or last); the figure is the median over rounds. Overhead is a
// contender's ns/call minus the bare `await fn()` of the same rounds.
//
//   bare        await fn()
//   edgebreaker await breaker.call(fn)
//   opossum     await breaker.fire()              timeout off
//   cockatiel   await policy.execute(fn)          ConsecutiveBreaker(5) and SamplingBreaker
import { circuitBreaker as cockatielBreaker, ConsecutiveBreaker, handleAll, SamplingBreaker } from "cockatiel";
import Opossum from "opossum";
import { CircuitBreaker } from "../dist/index.js";

const CALLS = Number(process.env.BENCH_CALLS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);

async function upstream() {
  return 1;
}

const edgebreaker = new CircuitBreaker({ name: "bench" });
const opossum = new Opossum(upstream, { timeout: false });
const consecutive = cockatielBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) });
const sampling = cockatielBreaker(handleAll, {
  halfOpenAfter: 60_000,
  breaker: new SamplingBreaker({ threshold: 0.5, duration: 10_000 }),
});

const contenders = {
  "bare await fn()": async (n) => {
    for (let i = 0; i < n; i++) await upstream();
  },
  "edgebreaker call(fn)": async (n) => {
    for (let i = 0; i < n; i++) await edgebreaker.call(upstream);
  },
  "opossum fire()": async (n) => {
    for (let i = 0; i < n; i++) await opossum.fire();
  },
  "cockatiel Consecutive": async (n) => {
    for (let i = 0; i < n; i++) await consecutive.execute(upstream);
  },
  "cockatiel Sampling": async (n) => {
    for (let i = 0; i < n; i++) await sampling.execute(upstream);
  },
};

async function timeOnce(run) {
  globalThis.gc?.();
  const start = process.hrtime.bigint();
  await run(CALLS);
  return Number(process.hrtime.bigint() - start) / CALLS;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const names = Object.keys(contenders);
for (const name of names) await contenders[name](CALLS); // warm up every path before timing any
const samples = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = [...names].sort(() => Math.random() - 0.5);
  for (const name of order) samples[name].push(await timeOnce(contenders[name]));
}
opossum.shutdown();

const ns = Object.fromEntries(names.map((name) => [name, median(samples[name])]));
const bare = ns["bare await fn()"];
const overhead = (name) => ns[name] - bare;
const ours = overhead("edgebreaker call(fn)");
console.log(`Node ${process.version}, ${CALLS} sequential awaited calls per round, median of ${ROUNDS} interleaved rounds`);
console.log(`${"".padEnd(24)}${"ns/call".padStart(9)}${"overhead".padStart(10)}   edgebreaker's overhead / this one's`);
for (const name of names) {
  const ratio = name.startsWith("bare") || name.startsWith("edgebreaker") ? "" : `${(ours / overhead(name)).toFixed(2)}x`;
  const extra = name.startsWith("bare") ? "" : `${overhead(name) >= 0 ? "+" : ""}${overhead(name).toFixed(1)}`;
  console.log(`${name.padEnd(24)}${ns[name].toFixed(1).padStart(9)}${extra.padStart(10)}   ${ratio}`);
}
console.log(
  `targets (issue 2): overhead <= cockatiel Sampling's (${ours <= overhead("cockatiel Sampling") ? "met" : "NOT met"}), ` +
    `< 0.15x opossum's (${ours < 0.15 * overhead("opossum fire()") ? "met" : "NOT met"})`,
);
