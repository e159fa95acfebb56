// Coordinator throughput in workerd: how many syncs one FleetCoordinator
// Durable Object answers per second while every isolate of the bench fleet
// hammers it (CLIENTS loops per isolate, each sending its next sync, a real
// report, as soon as the last is answered) for HAMMER_MS. First, one client
// alone for a second: the round trip of a sync with nothing queued before it.

import { verdict } from "./fleet-figures.mjs";

const HAMMER_MS = 5_000;
const CLIENTS = 16;
const TARGET_PER_S = 1000;

/** Hammers one coordinator object from every isolate of `fleet`; prints the figures. */
export async function coordinatorThroughput(fleet, log) {
  const breaker = "throughput";
  const alone = await fleet.isolates[0].post("/hammer", { breaker, clients: 1, forMs: 1_000 });
  const before = await fleet.isolates[0].post("/counts", { breaker });
  const started = performance.now();
  const hammered = await Promise.all(fleet.isolates.map((isolate) => isolate.post("/hammer", { breaker, clients: CLIENTS, forMs: HAMMER_MS })));
  const elapsedS = (performance.now() - started) / 1000;
  const after = await fleet.isolates[0].post("/counts", { breaker });
  const answered = hammered.reduce((total, { syncs }) => total + syncs, 0);
  const slowestS = Math.max(...hammered.map(({ elapsedMs }) => elapsedMs)) / 1000;
  const perS = answered / slowestS;
  log(`4. Coordinator throughput in workerd: one FleetCoordinator object, ${fleet.isolates.length} isolates × ${CLIENTS} clients syncing back to back for ${HAMMER_MS / 1000} s`);
  log(`   one client alone: ${alone.syncs} syncs in ${alone.elapsedMs} ms, ${(alone.elapsedMs / alone.syncs).toFixed(2)} ms a round trip`);
  log(`   hammered: ${answered} syncs answered in ${slowestS.toFixed(2)} s = ${Math.round(perS)} syncs/s (the object counted ${after.syncs - before.syncs} in ${elapsedS.toFixed(2)} s as Node timed it)`);
  log(`   pacing it answered at that load: syncAfterMs ${after.lastSyncAfterMs} (an isolate waits max(syncIntervalMs, syncAfterMs) before its next sync)`);
  log(`   target >= ${TARGET_PER_S} syncs/s: ${verdict(perS >= TARGET_PER_S)} (${Math.round(perS)}/s)`);
  return perS;
}
