// The fleet at internet scale, simulated: up to 300 data centres × 10
// isolates, in one Node process on simulated time. Each isolate is the
// package's CircuitBreaker with the `fleet` option, unchanged (its clock is
// the simulation's); the coordinator is the real core (WasmFleetCoordinator,
// as the Durable Object runs it); what crosses between them is the same JSON
// text, delivered after each isolate's one-way latency. Assumptions, each
// printed: every isolate gets PER_SECOND calls a second (Poisson), its one-way
// latency to the coordinator is uniform in ONE_WAY_MS, the coordinator
// answers at once (its load is reported, not modelled), the upstream answers
// at once. HEALTHY_MS of healthy traffic, then OUTAGE_MS with every call
// failing; the same traffic with independent breakers (no fleet option), for
// comparison. The simulation is seeded: the same figures each run.
//
// Simulated time is the demo page's (www/src/sim-clock.js: a discrete-event
// scheduler and the breakers' clock), moved a millisecond at a time with a
// macrotask turn after each, so that the promise jobs the events started (a
// call settling, an answer merged) run before the clock moves on.

import { seededRandom } from "../../www/src/random.js";
import { SimClock } from "../../www/src/sim-clock.js";
import { edgebreaker, inProcessFleet } from "./fleet-in-process.mjs";
import { median, percentile } from "./fleet-figures.mjs";

const SIZES = [10, 100, 1000, 3000];
const PER_SECOND = 1;
const ONE_WAY_MS = [5, 100];
const HEALTHY_MS = 20_000;
const LOAD_FROM_MS = 10_000; // the healthy load is averaged from here on, once the pacing has settled
const OUTAGE_MS = 60_000;
const OPTIONS = { failureThreshold: 5, windowSize: 10, resetTimeoutMs: 10_000, halfOpenMaxCalls: 1, successThreshold: 2 };
const DO_PER_SECOND = 1000; // what one Durable Object sustains, by Cloudflare's figure (part 4 measures this machine's)

/** Simulates every fleet size, with and without the fleet; prints the table. */
export async function simulation(log) {
  const rows = [];
  for (const isolates of SIZES) rows.push({ isolates, fleet: await simulate(isolates, true), alone: await simulate(isolates, false) });
  log(`5. Internet scale, simulated (the package's breakers and the real coordinator core on simulated time; seeded)`);
  log(`   each isolate: ${PER_SECOND} call/s (Poisson), one-way latency to the coordinator ${ONE_WAY_MS[0]}-${ONE_WAY_MS[1]} ms (uniform); syncIntervalMs 1000; coordinator budget 500 syncs/s (its pacing)`);
  log(`   ${HEALTHY_MS / 1000} s healthy, then a ${OUTAGE_MS / 1000} s outage (every call fails); options as in 2 (resetTimeoutMs ${OPTIONS.resetTimeoutMs}, halfOpenMaxCalls ${OPTIONS.halfOpenMaxCalls})`);
  log(`   isolates | syncs/s healthy (peak s) | syncAfterMs | syncs/s outage | fleet opened | view open everywhere p50/p99/max | rejecting p99/max | upstream requests: fleet (probes) / independent`);
  for (const { isolates, fleet, alone } of rows) {
    const cells = [
      String(isolates).padStart(8),
      `${fleet.healthyLoad.toFixed(0)} (${fleet.peakLoad})`.padStart(24),
      String(fleet.syncAfterMs).padStart(11),
      fleet.outageLoad.toFixed(0).padStart(14),
      `+${(fleet.openedAfterMs / 1000).toFixed(2)} s`.padStart(12),
      `${fleet.view.map((value) => Math.round(value)).join(" / ")} ms`.padStart(32),
      `${fleet.rejecting.map((value) => Math.round(value)).join(" / ")} ms`.padStart(17),
      `${fleet.upstream} (${fleet.probes}) / ${alone.upstream}`,
    ];
    log(`   ${cells.join(" | ")}`);
  }
  log(`   syncs/s: at the coordinator, the mean (and the busiest second) from ${LOAD_FROM_MS / 1000} s on; syncAfterMs: median answered while healthy;`);
  log(`   the first ${LOAD_FROM_MS / 1000} s (every isolate starting at once, its first call syncing) peaked at ${rows.map(({ isolates, fleet }) => `${fleet.startLoad}/s (${isolates})`).join(", ")}`);
  log(`   fleet opened: after the outage began;`);
  log(`   view open / rejecting: from the fleet opening to each isolate merging the open snapshot / rejecting its next call (isolates that tripped on their own count as 0)`);
  const over = rows.filter(({ fleet }) => Math.max(fleet.peakLoad, fleet.startLoad) > DO_PER_SECOND).map(({ isolates }) => isolates);
  log(`   sizes whose peak load is above ${DO_PER_SECOND} syncs/s (one Durable Object, by Cloudflare's figure), start-up included: ${over.length ? over.join(", ") : "none"}`);
  const failed = rows.reduce((total, { fleet }) => total + fleet.exchangeFailures, 0);
  if (failed > 0) log(`   exchanges that timed out on real time while simulating (the simulation ran slow): ${failed}`);
  return rows;
}

async function simulate(isolates, withFleet) {
  const { CircuitBreaker, CircuitBreakerError } = edgebreaker;
  const clock = new SimClock();
  const random = seededRandom(isolates);
  const oneWay = Array.from({ length: isolates }, () => ONE_WAY_MS[0] + random() * (ONE_WAY_MS[1] - ONE_WAY_MS[0]));
  const outageStart = HEALTHY_MS;
  const end = outageStart + OUTAGE_MS;
  const inOutage = () => clock.now >= outageStart;
  const seconds = Math.ceil(end / 1000);
  const seen = { syncsBySecond: new Array(seconds).fill(0), syncAfterMs: [], probes: 0, upstream: 0, openedAt: null };
  const viewOpenAt = new Array(isolates).fill(null);
  const rejectedAt = new Array(isolates).fill(null);

  /** The coordinator's answer to `send`, one way there and one way back; what it said is noted on the way. */
  function deliver(isolate, send, kind) {
    return new Promise((resolve, reject) => {
      clock.after(oneWay[isolate], () => {
        let answer;
        try {
          answer = send();
        } catch (error) {
          clock.after(oneWay[isolate], () => reject(error));
          return;
        }
        const snapshot = kind === "lease" ? JSON.parse(answer).snapshot : JSON.parse(answer);
        if (kind === "sync") {
          seen.syncsBySecond[Math.floor(clock.now / 1000)] += 1;
          if (clock.now >= LOAD_FROM_MS && !inOutage()) seen.syncAfterMs.push(snapshot.syncAfterMs);
        }
        if (kind === "lease" && JSON.parse(answer).lease !== null && inOutage()) seen.probes += 1;
        if (snapshot.state === "open" && inOutage() && seen.openedAt === null) seen.openedAt = clock.now;
        clock.after(oneWay[isolate], () => {
          if (snapshot.state === "open" && inOutage() && viewOpenAt[isolate] === null) viewOpenAt[isolate] = clock.now;
          resolve(answer);
        });
      });
    });
  }

  const fleet = inProcessFleet({ now: clock.read, deliver });
  const breakers = Array.from(
    { length: isolates },
    (_, isolate) => new CircuitBreaker({ ...OPTIONS, name: "simulated", clock: clock.read, ...(withFleet ? { fleet: fleet.transport(isolate) } : {}) }),
  );
  const upstream = () => {
    if (!inOutage()) return "ok";
    seen.upstream += 1;
    throw new Error("500 from the upstream");
  };
  const next = () => (-Math.log(1 - random()) * 1000) / PER_SECOND;
  const call = (isolate) => {
    breakers[isolate].call(upstream).catch((error) => {
      if (error instanceof CircuitBreakerError && error.state === "open" && inOutage() && rejectedAt[isolate] === null) rejectedAt[isolate] = clock.now;
    });
    if (clock.now < end) clock.after(next(), () => call(isolate));
  };
  for (let isolate = 0; isolate < isolates; isolate += 1) clock.after(next(), () => call(isolate));
  await runUntil(clock, end);

  const load = (from, to) => seen.syncsBySecond.slice(from / 1000, to / 1000).reduce((a, b) => a + b, 0) / ((to - from) / 1000);
  const since = (at) => (at === null ? Infinity : Math.max(0, at - seen.openedAt));
  const views = viewOpenAt.map(since);
  const rejections = rejectedAt.map(since);
  const statuses = withFleet ? breakers.map((breaker) => breaker.getStatus().fleet) : [];
  return {
    upstream: seen.upstream,
    probes: seen.probes,
    healthyLoad: load(LOAD_FROM_MS, HEALTHY_MS),
    outageLoad: load(HEALTHY_MS, HEALTHY_MS + OUTAGE_MS),
    peakLoad: Math.max(...seen.syncsBySecond.slice(LOAD_FROM_MS / 1000)),
    startLoad: Math.max(...seen.syncsBySecond.slice(0, LOAD_FROM_MS / 1000)),
    syncAfterMs: seen.syncAfterMs.length ? median(seen.syncAfterMs) : 0,
    openedAfterMs: seen.openedAt === null ? Infinity : seen.openedAt - outageStart,
    view: [median(views), percentile(views, 99), Math.max(...views)],
    rejecting: [percentile(rejections, 99), Math.max(...rejections)],
    exchangeFailures: statuses.reduce((total, status) => total + status.errors + status.refused, 0),
  };
}

/** Moves `clock` to `until` a millisecond at a time, letting the promise jobs of each millisecond run before the next. */
async function runUntil(clock, until) {
  while (clock.now < until) {
    clock.advance(1);
    await new Promise(setImmediate);
  }
}
