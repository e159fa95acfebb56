// The fleet bench on Deno KV (`make bench` runs it; about a minute): four Deno
// processes (../fleet/deno/member.js, as the fleet-deno suite starts them)
// sharing a denokv server on 127.0.0.1, before the fake upstream. Each figure
// is printed beside its target, MISSED when it is not met.
//
//   node host-tests/bench/fleet-deno.mjs      (after `make build` and `make setup-denokv`)
//
//   1  trip propagation: from the failure that trips the fleet to every other member rejecting
//   2  probes fleet-wide: upstream requests when 4 members × 500 concurrent calls meet the half-open fleet
//   3  Deno KV operations per call while closed, counted in a wrapper of each member's kv object
//   4  syncs per second the denokv server answers, every member syncing back to back
//   5  call-path overhead in Deno, fleet on (closed, synced) against no fleet

import { availableParallelism } from "node:os";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { sleep } from "../edge/upstream.mjs";
import { startDenoFleet } from "../fleet/engines/deno.mjs";
import { median, ms, percentile, verdict } from "./fleet-figures.mjs";

const SYNC_INTERVAL_MS = 1000; // denoKvFleet's default
const TRIALS = 12;
const EVERY_MS = 10;
const OPTIONS = { failureThreshold: 5, windowSize: 10, resetTimeoutMs: 2_000, halfOpenMaxCalls: 2, successThreshold: 2, probeTimeoutMs: 10_000 };
const LIMITS = { windowMs: 60_000, maxLeases: 2, probeTimeoutMs: 10_000 };
const MAX_OPERATIONS_PER_SYNC = 6;
const log = (line = "") => console.log(line);

const started = performance.now();
log(`fleet bench on Deno KV: Node ${process.version}, ${availableParallelism()} cores, ${new Date().toISOString()}`);
const upstream = await startFakeUpstream();
const fleet = await startDenoFleet();
let trials = 0;
const plan = (name, more = {}) => ({ breaker: name, options: OPTIONS, fleet: { syncIntervalMs: SYNC_INTERVAL_MS }, skewMs: 0, upstream: upstream.url, ...more });
try {
  await propagation();
  await probes();
  await operationsPerCall();
  await throughput();
  await overhead();
} finally {
  await fleet.stop();
  await upstream.close();
}
log(`\nfleet bench on Deno KV: ${((performance.now() - started) / 1000).toFixed(0)} s`);

/** Calls `member` makes every EVERY_MS until it sees "open" or `forMs` pass; when it first saw "open" (this process's clock). */
async function watch(member, name, forMs) {
  const until = performance.now() + forMs;
  while (performance.now() < until) {
    const seen = await member.post("/calls", plan(name));
    if (seen.open) return performance.now();
    await sleep(EVERY_MS);
  }
  return null;
}

/** Fetches the failing upstream from `member` until its own breaker trips; when the tripping failure came back. */
async function tripLocally(member, name) {
  let lastFailure = null;
  for (let attempt = 0; attempt <= OPTIONS.failureThreshold; attempt += 1) {
    const seen = await member.post("/calls", plan(name, { through: "fetch" }));
    if (seen.open) return lastFailure;
    lastFailure = performance.now();
  }
  throw new Error(`${member.name} did not trip after ${OPTIONS.failureThreshold} failures`);
}

async function propagation() {
  const figures = [];
  const perMember = [];
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const name = `propagation-${++trials}`;
    const [tripper, ...watchers] = fleet.members.toSorted(() => Math.random() - 0.5);
    upstream.setFaults({ errorRate: 0 });
    await tripper.post("/calls", plan(name));
    const watching = watchers.map(async (member) => {
      await sleep(Math.random() * SYNC_INTERVAL_MS);
      return watch(member, name, 10_000);
    });
    await sleep(2 * SYNC_INTERVAL_MS + Math.random() * SYNC_INTERVAL_MS);
    upstream.setFaults({ errorRate: 1, errorStatus: 500 });
    const trippedAt = await tripLocally(tripper, name);
    const rejectedAt = await Promise.all(watching);
    if (rejectedAt.includes(null)) {
      log(`   trial ${trial + 1}: a member never rejected within 10 s`);
      continue;
    }
    const each = rejectedAt.map((at) => at - trippedAt);
    perMember.push(...each);
    figures.push(Math.max(...each));
  }
  upstream.setFaults({ errorRate: 0 });
  log(`\n1. Trip propagation on Deno KV (${fleet.members.length} Deno processes, syncIntervalMs ${SYNC_INTERVAL_MS}, calls ${EVERY_MS} ms apart; ${TRIALS} trials, times read by the bench)`);
  if (figures.length === 0) return log("   no trial completed: MISSED (no figure)");
  const p99 = percentile(figures, 99);
  log(`   from the tripping failure to every member rejecting: p50 ${ms(median(figures))}, p90 ${ms(percentile(figures, 90))}, p99 ${ms(p99)}, max ${ms(Math.max(...figures))}`);
  log(`   each member, from the tripping failure to its first rejection: p50 ${ms(median(perMember))}, p99 ${ms(percentile(perMember, 99))}`);
  log(`   target p99 <= syncIntervalMs + 100 ms = ${SYNC_INTERVAL_MS + 100} ms: ${verdict(figures.length === TRIALS && p99 <= SYNC_INTERVAL_MS + 100)} (${ms(p99)})`);
}

async function probes() {
  const counts = [];
  for (let trial = 0; trial < 5; trial += 1) {
    const name = `probes-${++trials}`;
    upstream.setFaults({ errorRate: 0 });
    await Promise.all(fleet.members.map((member) => member.post("/calls", plan(name))));
    await sleep(SYNC_INTERVAL_MS + 200); // every member has synced
    upstream.setFaults({ errorRate: 1, errorStatus: 500 });
    await tripLocally(fleet.members[0], name);
    upstream.setFaults({ errorRate: 0 });
    // Every member knows the fleet open, then the fleet's open time passes.
    for (const member of fleet.members) while (!(await member.post("/calls", plan(name))).open) await sleep(50);
    await sleep(OPTIONS.resetTimeoutMs + 200);
    // A slow upstream: the probes stay in flight while every caller tries (once they succeed, the fleet closes).
    upstream.reset();
    upstream.setFaults({ latencyMs: 1_000 });
    const bursts = fleet.members.map((member) => member.post("/calls", plan(name, { count: 500, through: "fetch" })));
    await sleep(500);
    counts.push(upstream.counters.requests);
    await Promise.all(bursts);
    upstream.setFaults({ latencyMs: 0 });
  }
  log(`\n2. Probes fleet-wide: ${fleet.members.length} members × 500 concurrent calls through the half-open fleet (halfOpenMaxCalls ${OPTIONS.halfOpenMaxCalls}), the upstream answering in 1 s; 5 trials`);
  log(`   upstream requests in the burst's first 500 ms, in each: ${counts.join(", ")}`);
  log(`   target exactly halfOpenMaxCalls: ${verdict(counts.every((count) => count === OPTIONS.halfOpenMaxCalls))}`);
}

async function operationsPerCall() {
  const name = `operations-${++trials}`;
  const member = fleet.members[0];
  const status = async () => (await member.post("/status", plan(name))).fleet;
  await member.post("/calls", plan(name));
  while ((await status()).syncs < 1) await sleep(20);
  await member.post("/kv/operations", { reset: true });
  const syncsBefore = (await status()).syncs;
  const calls = 20_000;
  const startedAt = performance.now();
  // 500 calls every 100 ms for 4 s: a few background syncs fall due meanwhile.
  for (let batch = 0; batch < calls / 500; batch += 1) {
    await member.post("/calls", plan(name, { count: 500 }));
    await sleep(100);
  }
  const spentMs = performance.now() - startedAt;
  const operations = await member.post("/kv/operations", { reset: false });
  const syncs = (await status()).syncs - syncsBefore;
  const total = operations.get + operations.list + operations.commit;
  const perSync = syncs === 0 ? 0 : total / syncs;
  log(`\n3. Deno KV operations per call while closed (a wrapper of the member's kv counts get, list and commit)`);
  log(`   ${calls} calls over ${ms(spentMs)}: ${total} operations (${operations.get} get, ${operations.list} list, ${operations.commit} commit) while ${syncs} background syncs ran (${perSync.toFixed(1)} a sync)`);
  log(`   per call: ${(total / calls).toFixed(4)} on average, every one a background sync's`);
  log(`   target 0 on the call path: ${verdict(total <= syncs * MAX_OPERATIONS_PER_SYNC)} (a sync is at most ${MAX_OPERATIONS_PER_SYNC}: commit, phase, window, pace, 2 sweep lists; one per call would be ${calls})`);
}

async function throughput() {
  const name = `throughput-${++trials}`;
  const args = [{ successes: 3, failures: 1, periodMs: 1000 }, LIMITS];
  const alone = await fleet.members[0].post("/store/repeat", { name, args, forMs: 1_000, loops: 1 });
  const results = {};
  for (const loops of [1, 4]) {
    const answered = await Promise.all(fleet.members.map((member) => member.post("/store/repeat", { name, args, forMs: 3_000, loops })));
    const seconds = (Math.max(...answered.map(({ endedAt }) => endedAt)) - Math.min(...answered.map(({ startedAt }) => startedAt))) / 1000;
    results[loops] = answered.reduce((sum, { syncs }) => sum + syncs, 0) / seconds;
  }
  log(`\n4. Syncs per second the denokv server answers (SQLite on this machine's disk; each sync a commit and 3 to 5 reads, one at a time)`);
  log(`   one member alone, back to back: ${alone.syncs} syncs in ${alone.endedAt - alone.startedAt} ms, ${((alone.endedAt - alone.startedAt) / alone.syncs).toFixed(2)} ms a sync`);
  log(`   ${fleet.members.length} members × 1 loop: ${Math.round(results[1])} syncs/s; ${fleet.members.length} members × 4 loops: ${Math.round(results[4])} syncs/s`);
  const best = Math.max(results[1], results[4]);
  log(`   target >= 1000 syncs/s: ${verdict(best >= 1000)} (${Math.round(best)}/s; a fleet of N members at syncIntervalMs 1000 needs N/s)`);
}

async function overhead() {
  const { samples, fleet: fleetStatus, state } = await fleet.members[1].post("/overhead", { calls: 20_000, rounds: 51, fleet: { syncIntervalMs: SYNC_INTERVAL_MS } });
  if (state !== "closed" || fleetStatus.state !== "closed" || fleetStatus.errors + fleetStatus.refused > 0) {
    throw new Error(`the fleet breaker was not a synced, closed fleet throughout: ${JSON.stringify(fleetStatus)}`);
  }
  const ratios = samples.fleet.map((fleetNs, round) => (fleetNs - samples.bare[round]) / (samples.plain[round] - samples.bare[round]));
  const ns = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  log(`\n5. Call-path overhead in Deno, fleet on (denoKvFleet, closed, ${fleetStatus.syncs} syncs over the run) against no fleet`);
  log(`   20000 sequential awaited calls per contender per round, 51 interleaved rounds; median round: bare ${ns.bare.toFixed(1)} ns/call, call(fn) +${(ns.plain - ns.bare).toFixed(1)} ns, fleet call(fn) +${(ns.fleet - ns.bare).toFixed(1)} ns`);
  const ratio = median(ratios);
  log(`   per-round ratio of the overheads: median ${ratio.toFixed(2)}x, middle half ${percentile(ratios, 25).toFixed(2)}x to ${percentile(ratios, 75).toFixed(2)}x`);
  log(`   target fleet overhead <= 1.1x the plain call's: ${verdict(ratio <= 1.1)} (${ratio.toFixed(2)}x)`);
}
