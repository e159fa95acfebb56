// Trip propagation in workerd, on real time: from the failure that trips the
// fleet to every isolate rejecting, with the default syncIntervalMs (1000).
//
// Each trial has a breaker name (so a coordinator object) of its own. Every
// isolate but one starts, at a random moment in the trial's first second,
// making a call every EVERY_MS (a function that succeeds, so only the fleet
// can make it reject), so their sync periods are out of step as traffic
// leaves them; 2 to 3 s into the trial, when every isolate has synced and the
// trip falls anywhere in their sync periods, the remaining isolate fetches
// the failing upstream until its own breaker trips. A trial's figure: from when the failure that tripped it came back to
// when the last of the other isolates rejected a call (both read from
// workerd's clock). LANES trials run at once, on different isolates' turns.

import { sleep } from "../edge/upstream.mjs";
import { median, ms, percentile, verdict } from "./fleet-figures.mjs";

const TRIALS = 40;
const LANES = 5;
const EVERY_MS = 10;
const SYNC_INTERVAL_MS = 1000; // durableObjectFleet's default, which the trials use
const WATCH_FOR_MS = 8_000;
const OPTIONS = { failureThreshold: 5, windowSize: 10, resetTimeoutMs: 60_000 };

/** Runs the trials on `fleet` against `upstream` (failing every request); prints the figures. */
export async function tripPropagation(fleet, upstream, log) {
  upstream.setFaults({ errorRate: 1, errorStatus: 500 });
  const results = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (next < TRIALS) {
        const trial = next++;
        results.push(await oneTrial(fleet, upstream, trial));
      }
    }),
  );
  const complete = results.filter((result) => result.propagationMs !== null);
  const figures = complete.map((result) => result.propagationMs);
  const perIsolate = complete.flatMap((result) => result.perIsolateMs);
  const target = SYNC_INTERVAL_MS + 100;
  log(`1. Trip propagation in workerd (${fleet.isolates.length} isolates, syncIntervalMs ${SYNC_INTERVAL_MS}, calls ${EVERY_MS} ms apart in each isolate; ${TRIALS} trials)`);
  if (figures.length === 0) {
    log(`   in no trial did every isolate reject within ${WATCH_FOR_MS} ms: MISSED (no figure)`);
    return undefined;
  }
  const p99 = percentile(figures, 99);
  log(`   from the tripping failure to every isolate rejecting: p50 ${ms(median(figures))}, p90 ${ms(percentile(figures, 90))}, p99 ${ms(p99)}, max ${ms(Math.max(...figures))}`);
  log(`   each isolate, from the tripping failure to its first rejection: p50 ${ms(median(perIsolate))}, p99 ${ms(percentile(perIsolate, 99))}`);
  log(`   failures the tripping isolate sent: ${[...new Set(results.map((result) => result.failures))].join(", ")} (failureThreshold ${OPTIONS.failureThreshold})`);
  if (complete.length < results.length) log(`   trials in which an isolate never rejected within ${WATCH_FOR_MS} ms: ${results.length - complete.length} (MISSED)`);
  log(`   target p99 <= syncIntervalMs + 100 ms = ${target} ms: ${verdict(complete.length === results.length && p99 <= target)} (${ms(p99)})`);
  return { p99, figures };
}

async function oneTrial(fleet, upstream, trial) {
  const plan = { breaker: `propagation-${trial}`, options: OPTIONS, fleet: {} };
  const tripper = trial % fleet.isolates.length;
  const watchers = fleet.isolates.filter((_, index) => index !== tripper);
  await fleet.isolates[tripper].post("/join", plan);
  const watching = watchers.map(async (isolate) => {
    await sleep(Math.random() * SYNC_INTERVAL_MS);
    return isolate.post("/watch", { ...plan, everyMs: EVERY_MS, forMs: WATCH_FOR_MS });
  });
  await sleep(2 * SYNC_INTERVAL_MS + Math.random() * SYNC_INTERVAL_MS);
  const { trippedAt, failures, seen } = await fleet.isolates[tripper].post("/trip", { ...plan, upstream: upstream.url });
  if (seen !== "open") throw new Error(`trial ${trial}: the tripping isolate saw ${seen} after ${failures} failures`);
  const watched = await Promise.all(watching);
  for (const [index, result] of watched.entries()) {
    if (result.startedAt >= trippedAt) throw new Error(`trial ${trial}: ${watchers[index].name}'s traffic started after the trip`);
    if (result.rejectedAt !== null && result.seen !== "open") throw new Error(`trial ${trial}: ${watchers[index].name} saw ${result.seen}`);
    if (result.rejectedAt !== null && result.rejectedAt < trippedAt) throw new Error(`trial ${trial}: ${watchers[index].name} rejected before the trip`);
  }
  const perIsolateMs = watched.filter((result) => result.rejectedAt !== null).map((result) => result.rejectedAt - trippedAt);
  const propagationMs = perIsolateMs.length === watched.length ? Math.max(...perIsolateMs) : null;
  return { propagationMs, perIsolateMs, failures };
}
