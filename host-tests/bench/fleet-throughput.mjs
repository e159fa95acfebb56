// Coordinator throughput in workerd: how many syncs one FleetCoordinator
// Durable Object answers per second while every isolate of the bench fleet
// hammers it (CLIENTS loops per isolate, each sending its next sync, a real
// report, as soon as the last is answered) for HAMMER_MS. The object counts
// its syncs by second of its clock; the figure is the mean over the whole
// seconds in which every isolate was hammering. First, one client alone for
// a second: the round trip of a sync with nothing queued before it.

import { median, verdict } from "./fleet-figures.mjs";

const HAMMER_MS = 5_000;
const CLIENTS = 16;
const TARGET_PER_S = 1000;

/** Hammers one coordinator object from every isolate of `fleet`; prints the figures. */
export async function coordinatorThroughput(fleet, log) {
  const breaker = "throughput";
  const alone = await fleet.isolates[0].post("/hammer", { breaker, clients: 1, forMs: 1_000 });
  const hammered = await Promise.all(fleet.isolates.map((isolate) => isolate.post("/hammer", { breaker, clients: CLIENTS, forMs: HAMMER_MS })));
  const { syncsBySecond, lastSyncAfterMs } = await fleet.isolates[0].post("/counts", { breaker });
  // The whole seconds in which every isolate was hammering.
  const from = Math.ceil(Math.max(...hammered.map(({ startedAt }) => startedAt)) / 1000);
  const to = Math.floor(Math.min(...hammered.map(({ endedAt }) => endedAt)) / 1000);
  const perSecond = [];
  for (let second = from; second < to; second += 1) perSecond.push(syncsBySecond[second] ?? 0);
  const answered = hammered.reduce((total, { syncs }) => total + syncs, 0);
  const spanS = (Math.max(...hammered.map(({ endedAt }) => endedAt)) - Math.min(...hammered.map(({ startedAt }) => startedAt))) / 1000;
  log(`4. Coordinator throughput in workerd: one FleetCoordinator object, ${fleet.isolates.length} isolates × ${CLIENTS} clients syncing back to back, ${HAMMER_MS / 1000} s each`);
  log(`   (Miniflare: the isolates and the object share one local workerd process and its cores; no network between them)`);
  log(`   one client alone: ${alone.syncs} syncs in ${alone.endedAt - alone.startedAt} ms, ${((alone.endedAt - alone.startedAt) / alone.syncs).toFixed(2)} ms a round trip`);
  log(`   hammered: ${answered} syncs answered over ${spanS.toFixed(1)} s, first start to last end`);
  if (perSecond.length === 0) {
    log(`   the isolates never hammered at once for a whole second: MISSED (no figure)`);
    return undefined;
  }
  const mean = perSecond.reduce((a, b) => a + b, 0) / perSecond.length;
  log(`   in the ${perSecond.length} whole seconds when all ${fleet.isolates.length} isolates were hammering: ${Math.round(mean)} syncs/s (each second: ${perSecond.join(", ")}; median ${median(perSecond)})`);
  log(`   pacing it answered at that load: syncAfterMs ${lastSyncAfterMs} (an isolate waits max(syncIntervalMs, syncAfterMs) before its next sync)`);
  log(`   target >= ${TARGET_PER_S} syncs/s: ${verdict(mean >= TARGET_PER_S)} (${Math.round(mean)}/s)`);
  return mean;
}
