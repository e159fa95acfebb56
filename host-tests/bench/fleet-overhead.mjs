// Call-path overhead in Node with the `fleet` option on and the fleet closed,
// against the same breaker without it, in js/bench's style: each round times
// every contender once, in a shuffled order (short rounds, so that a busy
// machine disturbs the contenders of a round alike); overhead = a contender's
// ns/call minus the bare `await fn()` of the same round; the median and the
// fastest round are printed, and the target is judged on the median of the
// per-round ratios of the two overheads. The fleet's coordinator is the real
// core in this process (WasmFleetCoordinator) answering at once, so its
// background syncs (one a second) cost what they cost.
//
//   bare            await fn()
//   call(fn)        await breaker.call(fn)
//   fleet call(fn)  await fleetBreaker.call(fn)      fleet closed, synced

import { edgebreaker, inProcessFleet } from "./fleet-in-process.mjs";
import { median, percentile, verdict } from "./fleet-figures.mjs";

const CALLS = Number(process.env.BENCH_CALLS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 101);
const TARGET_RATIO = 1.1;

/**
 * Runs the rounds; prints the figures. `transport`: the fleet's (an in-process
 * coordinator by default; the Redis bench passes redisFleet's), `about` says what
 * it is, `heading` numbers the part.
 */
export async function callOverhead(log, { transport, about = "an in-process WasmFleetCoordinator answering at once", heading = "3." } = {}) {
  const { CircuitBreaker } = edgebreaker;
  const plain = new CircuitBreaker({ name: "bench-plain" });
  const fleeted = new CircuitBreaker({ name: "bench-fleet", fleet: transport ?? inProcessFleet().transport(0) });
  async function upstream() {
    return 1;
  }
  const contenders = {
    "bare await fn()": async (n) => {
      for (let i = 0; i < n; i++) await upstream();
    },
    "call(fn)": async (n) => {
      for (let i = 0; i < n; i++) await plain.call(upstream);
    },
    "fleet call(fn)": async (n) => {
      for (let i = 0; i < n; i++) await fleeted.call(upstream);
    },
  };
  const names = Object.keys(contenders);
  for (const name of names) await contenders[name](CALLS); // warm every path before timing any
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of names.toSorted(() => Math.random() - 0.5)) {
      globalThis.gc?.();
      await new Promise((resolve) => setImmediate(resolve)); // a turn of the event loop: a store's answers (I/O) come in
      const start = process.hrtime.bigint();
      await contenders[name](CALLS);
      samples[name].push(Number(process.hrtime.bigint() - start) / CALLS);
    }
  }
  const status = fleeted.getStatus();
  if (status.state !== "closed" || status.fleet.state !== "closed" || status.fleet.syncs < 1 || status.fleet.errors + status.fleet.refused > 0) {
    throw new Error(`the fleet breaker was not a synced, closed fleet throughout: ${JSON.stringify(status.fleet)}`);
  }

  // Per round: the fleet's overhead over the plain call's, each against that round's bare await.
  const ratios = samples["fleet call(fn)"].map((fleetNs, round) => (fleetNs - samples["bare await fn()"][round]) / (samples["call(fn)"][round] - samples["bare await fn()"][round]));
  log(`${heading} Call-path overhead in Node ${process.version}, fleet on and closed (${about}; ${status.fleet.syncs} syncs over the run)`);
  log(`   ${CALLS} sequential awaited calls per contender per round, ${ROUNDS} interleaved rounds${globalThis.gc ? ", gc before each" : ""}`);
  for (const [statistic, of] of Object.entries({ median, fastest: (values) => Math.min(...values) })) {
    const ns = Object.fromEntries(names.map((name) => [name, of(samples[name])]));
    const plainOverhead = ns["call(fn)"] - ns["bare await fn()"];
    const fleetOverhead = ns["fleet call(fn)"] - ns["bare await fn()"];
    log(`   ${statistic} round: bare ${ns["bare await fn()"].toFixed(1)} ns/call; call(fn) +${plainOverhead.toFixed(1)} ns; fleet call(fn) +${fleetOverhead.toFixed(1)} ns; fleet / plain overhead ${(fleetOverhead / plainOverhead).toFixed(2)}x`);
  }
  const ratio = median(ratios);
  log(`   per-round ratio of the overheads: median ${ratio.toFixed(2)}x, middle half ${percentile(ratios, 25).toFixed(2)}x to ${percentile(ratios, 75).toFixed(2)}x, 10th to 90th percentile ${percentile(ratios, 10).toFixed(2)}x to ${percentile(ratios, 90).toFixed(2)}x`);
  log(`   target fleet overhead <= ${TARGET_RATIO}x the plain call's (the median per-round ratio): ${verdict(ratio <= TARGET_RATIO)} (${ratio.toFixed(2)}x)`);
}
