// Coordinator throughput in workerd: how many syncs one FleetCoordinator
// Durable Object answers per second while every isolate of the bench fleet
// hammers it (CLIENTS loops per isolate, each sending its next sync, a real
// report, as soon as the last is answered) for HAMMER_MS, all from one moment
// (those whose requests reach their isolate in time). The object counts its
// syncs by second of its clock; the figure is the mean over the whole seconds
// from the first start to the last end, when it always had syncs waiting.
// First, one client alone for a second: the round trip of a sync with nothing
// queued before it.

import { median, verdict } from "./fleet-figures.mjs";

const HAMMER_MS = 5_000;
const CLIENTS = 16;
const START_IN_MS = 1_000; // the isolates start together, at this long after the requests are sent
const TARGET_PER_S = 1000;

/** Hammers one coordinator object from every isolate of `fleet`; prints the figures. */
export async function coordinatorThroughput(fleet, log) {
  const breaker = "throughput";
  const alone = await fleet.isolates[0].post("/hammer", { breaker, clients: 1, forMs: 1_000 });
  const startAt = Date.now() + START_IN_MS;
  const hammered = await Promise.all(fleet.isolates.map((isolate) => isolate.post("/hammer", { breaker, clients: CLIENTS, startAt, forMs: HAMMER_MS })));
  const { syncsBySecond, lastSyncAfterMs } = await fleet.isolates[0].post("/counts", { breaker });
  // The whole seconds from the first start to the last end: the object always had CLIENTS or more syncs coming.
  const firstStart = Math.min(...hammered.map(({ startedAt }) => startedAt));
  const lastEnd = Math.max(...hammered.map(({ endedAt }) => endedAt));
  const perSecond = [];
  for (let second = Math.ceil(firstStart / 1000); second < Math.floor(lastEnd / 1000); second += 1) perSecond.push(syncsBySecond[second] ?? 0);
  const atOnce = Math.max(...hammered.map(({ startedAt }) => hammered.filter((other) => other.startedAt <= startedAt && startedAt < other.endedAt).length));
  const answered = hammered.reduce((total, { syncs }) => total + syncs, 0);
  log(`4. Coordinator throughput in workerd: one FleetCoordinator object, ${fleet.isolates.length} isolates × ${CLIENTS} clients syncing back to back, ${HAMMER_MS / 1000} s each`);
  log(`   (Miniflare: the isolates and the object share one local workerd process and its cores; no network between them)`);
  log(`   one client alone: ${alone.syncs} syncs in ${alone.endedAt - alone.startedAt} ms, ${((alone.endedAt - alone.startedAt) / alone.syncs).toFixed(2)} ms a round trip`);
  log(`   hammered: ${answered} syncs answered over ${((lastEnd - firstStart) / 1000).toFixed(1)} s, first start to last end; at most ${atOnce} isolates hammering at once${atOnce < fleet.isolates.length ? " (the others' requests reached their isolates later)" : ""}`);
  if (perSecond.length === 0) {
    log(`   no whole second of hammering: MISSED (no figure)`);
    return undefined;
  }
  const mean = perSecond.reduce((a, b) => a + b, 0) / perSecond.length;
  log(`   in the ${perSecond.length} whole seconds of it, as the object counted them: ${Math.round(mean)} syncs/s (each second: ${perSecond.join(", ")}; median ${median(perSecond)})`);
  log(`   pacing it answered at that load: syncAfterMs ${lastSyncAfterMs} (an isolate waits max(syncIntervalMs, syncAfterMs) before its next sync)`);
  log(`   target >= ${TARGET_PER_S} syncs/s: ${verdict(mean >= TARGET_PER_S)} (${Math.round(mean)}/s)`);
  return mean;
}
