// npm run bench: the overhead of protecting an async call, in one Node process.
// Each round times every contender once (in a shuffled order, so no one always
// runs first or last); the figures are the median over rounds and, for a busy
// machine, the fastest round (the least disturbed). Overhead is a contender's
// ns/call minus the bare `await fn()` of the same statistic.
//
//   bare        await fn()
//   edgebreaker await breaker.call(fn)
//   opossum     await breaker.fire()              timeout off
//   cockatiel   await policy.execute(fn)          ConsecutiveBreaker(5) and SamplingBreaker
import { circuitBreaker as cockatielBreaker, ConsecutiveBreaker, handleAll, SamplingBreaker } from "cockatiel";
import Opossum from "opossum";
import { CircuitBreaker } from "../dist/index.js";

const CALLS = Number(process.env.BENCH_CALLS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 41);

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

const names = Object.keys(contenders);
for (const name of names) await contenders[name](CALLS); // warm up every path before timing any
const samples = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = [...names].sort(() => Math.random() - 0.5);
  for (const name of order) samples[name].push(await timeOnce(contenders[name]));
}
opossum.shutdown();

const statistics = {
  median: (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)],
  fastest: (values) => Math.min(...values),
};
console.log(`Node ${process.version}, ${CALLS} sequential awaited calls per round, ${ROUNDS} interleaved rounds`);
const verdicts = [];
for (const [statistic, of] of Object.entries(statistics)) {
  const ns = Object.fromEntries(names.map((name) => [name, of(samples[name])]));
  const overhead = (name) => ns[name] - ns["bare await fn()"];
  const ours = overhead("edgebreaker call(fn)");
  console.log(`\n${statistic} round:${"".padEnd(24 - statistic.length - 7)}${"ns/call".padStart(9)}${"overhead".padStart(10)}   edgebreaker's overhead / this one's`);
  for (const name of names) {
    const peer = !name.startsWith("bare") && !name.startsWith("edgebreaker");
    const extra = name.startsWith("bare") ? "" : `+${overhead(name).toFixed(1)}`;
    console.log(`${name.padEnd(24)}${ns[name].toFixed(1).padStart(9)}${extra.padStart(10)}   ${peer ? `${(ours / overhead(name)).toFixed(2)}x` : ""}`);
  }
  verdicts.push(
    `${statistic}: overhead <= cockatiel Sampling's: ${ours <= overhead("cockatiel Sampling") ? "met" : "NOT met"}; ` +
      `< 0.15x opossum's: ${ours < 0.15 * overhead("opossum fire()") ? "met" : "NOT met"}`,
  );
}
console.log(`\ntargets (issue 2):\n  ${verdicts.join("\n  ")}`);
