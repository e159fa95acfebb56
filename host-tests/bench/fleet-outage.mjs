// Upstream requests during a 60 s outage, 8 isolates in workerd: with the
// fleet, against 8 independent breakers (no fleet option), counted at the
// fake upstreams (one per breaker, so each count is that breaker's alone).
//
// Every breaker has the package's defaults but resetTimeoutMs: 10 s instead of
// 60 s, so the 60 s outage holds several half-open periods (no time is
// compressed: the outage lasts 60 s of real time). Traffic is open-loop: each
// isolate sends its requests on time whatever the others do, HEALTHY_MS of
// it before the outage (the fleet syncing as usual), then OUTAGE_MS with
// every request failing (500). Two shapes of traffic run at once, each with
// its own breakers: even (every isolate alike) and uneven (one busy isolate,
// seven quiet ones). The fleet's probes are the leases its coordinator object
// granted, counted by the bench's subclass of FleetCoordinator.

import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { sleep } from "../edge/upstream.mjs";
import { verdict } from "./fleet-figures.mjs";

const OUTAGE_MS = 60_000;
const HEALTHY_MS = 3_000;
const OPTIONS = { failureThreshold: 5, windowSize: 10, resetTimeoutMs: 10_000, halfOpenMaxCalls: 1, successThreshold: 2 };
const SHAPES = {
  even: { perSecond: () => 10, says: "10 requests/s in each isolate" },
  uneven: { perSecond: (isolate) => (isolate === 0 ? 10 : 1), says: "10 requests/s in one isolate, 1/s in each of the other seven" },
};

/** Runs the outage on `fleet`; prints the figures. */
export async function outage(fleet, log) {
  const runs = [];
  for (const [shape, { perSecond }] of Object.entries(SHAPES)) {
    for (const withFleet of [true, false]) {
      runs.push({ shape, withFleet, perSecond, breaker: `outage-${shape}-${withFleet ? "fleet" : "alone"}`, upstream: await startFakeUpstream() });
    }
  }
  try {
    const traffic = runs.flatMap((run) =>
      fleet.isolates.map((isolate, index) =>
        isolate.post("/traffic", {
          breaker: run.breaker,
          options: OPTIONS,
          fleet: run.withFleet ? {} : null,
          upstream: run.upstream.url,
          perSecond: run.perSecond(index),
          forMs: HEALTHY_MS + OUTAGE_MS,
        }),
      ),
    );
    await sleep(HEALTHY_MS);
    const countsBefore = await coordinatorCounts(fleet, runs);
    for (const run of runs) {
      run.upstream.reset();
      run.upstream.setFaults({ errorRate: 1, errorStatus: 500 });
    }
    await sleep(OUTAGE_MS);
    for (const run of runs) run.requests = run.upstream.counters.requests;
    const countsAfter = await coordinatorCounts(fleet, runs);
    const seen = await Promise.all(traffic);
    for (const [index, run] of runs.entries()) {
      run.coordinator = Object.fromEntries(["syncs", "leases", "leasesGranted", "settles"].map((key) => [key, countsAfter[index][key] - countsBefore[index][key]]));
      run.callers = sum(seen.slice(index * fleet.isolates.length, (index + 1) * fleet.isolates.length).map(({ counted }) => counted));
    }
  } finally {
    await Promise.all(runs.map((run) => run.upstream.close()));
  }

  const isolates = fleet.isolates.length;
  log(`2. Upstream requests during a ${OUTAGE_MS / 1000} s outage (real time), ${isolates} isolates in workerd, counted at the fake upstream`);
  log(`   options: the defaults but resetTimeoutMs ${OPTIONS.resetTimeoutMs} (failureThreshold ${OPTIONS.failureThreshold} of windowSize ${OPTIONS.windowSize}, halfOpenMaxCalls ${OPTIONS.halfOpenMaxCalls}, no backoff); ${HEALTHY_MS / 1000} s of healthy traffic first`);
  for (const shape of Object.keys(SHAPES)) {
    const [withFleet, alone] = [true, false].map((flag) => runs.find((run) => run.shape === shape && run.withFleet === flag));
    const probes = withFleet.coordinator.leasesGranted;
    const bound = OPTIONS.failureThreshold + probes;
    log(`   ${shape} traffic (${SHAPES[shape].says}):`);
    log(`     ${isolates} independent breakers: ${alone.requests} requests reached the upstream   (what callers saw, healthy seconds included: ${describeCounts(alone.callers)})`);
    log(`     one fleet:              ${withFleet.requests} requests, of which ${probes} fleet probes   (what callers saw: ${describeCounts(withFleet.callers)})`);
    log(`       coordinator requests in the outage: ${withFleet.coordinator.syncs} syncs, ${withFleet.coordinator.leases} lease requests, ${withFleet.coordinator.settles} settles`);
    log(`     target <= failureThreshold + fleet probes = ${OPTIONS.failureThreshold} + ${probes} = ${bound}: ${verdict(withFleet.requests <= bound)} (${withFleet.requests})`);
  }
  return runs;
}

function coordinatorCounts(fleet, runs) {
  return Promise.all(runs.map((run) => fleet.isolates[0].post("/counts", { breaker: run.breaker })));
}

function sum(countsList) {
  const total = {};
  for (const counts of countsList) for (const [key, value] of Object.entries(counts)) total[key] = (total[key] ?? 0) + value;
  return total;
}

const describeCounts = (counts) =>
  Object.entries(counts)
    .map(([key, value]) => `${value} ${key}`)
    .join(", ");
