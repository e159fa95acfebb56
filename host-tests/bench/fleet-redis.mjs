// The Redis fleet bench (`make bench` runs it; about a minute): a real
// redis-server on 127.0.0.1 and the fleet's figures on it, each printed beside
// its target, MISSED when it is not met.
//
//   node --expose-gc host-tests/bench/fleet-redis.mjs [part ...]   (after `make build`; parts 1 to 5, default all)
//
//   1  trip propagation: 4 Node processes (the fleet tests' Redis engine), syncIntervalMs 1000
//   2  probes fleet-wide: 4 processes × 500 concurrent calls when the fleet half-opens
//   3  Redis commands per call while closed, counted by the server (INFO commandstats)
//   4  syncs per second the server answers, 4 processes × 16 loops syncing back to back
//   5  call-path overhead in Node, redisFleet on and closed, against no fleet (fleet-overhead.mjs)
//
// Node's in-process part (5) runs first, on a quieter machine.

import { availableParallelism } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { sleep } from "../edge/upstream.mjs";
import redisEngine from "../fleet/engines/redis.mjs";
import { CLIENT_KINDS, connect } from "../fleet/redis/clients.mjs";
import { stagedFleetFolder } from "../fleet/staged.mjs";
import { consumerFolder, hostTestsDir } from "../harness/packed.mjs";
import { resultsFrom } from "../harness/processes.mjs";
import { startRedisServer } from "../harness/redis-server.mjs";
import { median, ms, percentile, verdict } from "./fleet-figures.mjs";
import { callOverhead } from "./fleet-overhead.mjs";

const parts = process.argv.length > 2 ? process.argv.slice(2).map(Number) : [1, 2, 3, 4, 5];
for (const given of parts) if (![1, 2, 3, 4, 5].includes(given)) throw new RangeError(`parts are 1 to 5; got ${given}`);
const log = (line = "") => console.log(line);
const started = performance.now();
const { redisFleet } = await import(pathToFileURL(createRequire(join(consumerFolder(), "package.json")).resolve("edgebreaker/redis")).href);
const { CircuitBreaker } = await import(pathToFileURL(createRequire(join(consumerFolder(), "package.json")).resolve("edgebreaker")).href);

log(`Redis fleet bench: Node ${process.version}, ${availableParallelism()} cores, redis-server on 127.0.0.1, ${new Date().toISOString()}`);
const server = await startRedisServer();
const { client, close } = await connect("ioredis", server.url);
try {
  if (parts.includes(5)) {
    log();
    await callOverhead(log, { transport: redisFleet(client), about: "redisFleet on ioredis, a redis-server on 127.0.0.1", heading: "5." });
  }
  if (parts.includes(3)) await part(() => commandsPerCall(log));
  if (parts.includes(4)) await part(() => syncsPerSecond(log));
  if (parts.includes(1) || parts.includes(2)) {
    const upstream = await startFakeUpstream();
    const fleet = await redisEngine.start();
    try {
      if (parts.includes(1)) await part(() => tripPropagation(fleet, upstream, log));
      if (parts.includes(2)) await part(() => probes(fleet, upstream, log));
    } finally {
      await fleet.stop();
      await upstream.close();
    }
  }
} finally {
  close();
  await server.stop();
}
log(`\nRedis fleet bench: ${((performance.now() - started) / 1000).toFixed(0)} s`);

async function part(run) {
  log();
  await run();
}

/** INFO commandstats: calls by command. */
async function commandCounts() {
  const info = await client.call("INFO", "commandstats");
  return Object.fromEntries([...info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)].map(([, name, calls]) => [name, Number(calls)]));
}

/**
 * 3. Calls through a breaker with redisFleet (syncIntervalMs 1000): first for 700 ms right after a sync merged,
 * when no sync is due, counting the server's scripts around them (each script is one round trip); then for 3 s,
 * with the syncs that fall due, to show what the round trips are for.
 */
async function commandsPerCall(log) {
  const breaker = new CircuitBreaker({ name: `bench-commands-${Date.now()}`, fleet: redisFleet(client) });
  const fn = async () => 1;
  const scriptsRun = (counts) => (counts.evalsha ?? 0) + (counts.eval ?? 0);
  /** Calls for `forMs`, a thousand at a time (timers run between: background syncs go out when due); how many. */
  const callFor = async (forMs) => {
    let calls = 0;
    for (const until = performance.now() + forMs; performance.now() < until; calls += 1_000) {
      for (let batch = 0; batch < 1_000; batch += 1) await breaker.call(fn);
      await sleep(0);
    }
    return calls;
  };
  // Right after a sync merged: the next is due a second after it started.
  const synced = breaker.getStatus().fleet.syncs;
  await breaker.call(fn);
  for (const until = performance.now() + 5_000; breaker.getStatus().fleet.syncs === synced && performance.now() < until; ) await sleep(1);
  let before = await commandCounts();
  const quietCalls = await callFor(700);
  const quietScripts = scriptsRun(await commandCounts()) - scriptsRun(before);
  const quietStatus = breaker.getStatus().fleet;

  before = await commandCounts();
  const syncsBefore = breaker.getStatus().fleet.syncs;
  const calls = await callFor(3_000);
  await sleep(100);
  const after = await commandCounts();
  const { fleet } = breaker.getStatus();
  const scripts = scriptsRun(after) - scriptsRun(before);
  log(`3. Redis round trips per call while closed (one breaker, redisFleet on ioredis, syncIntervalMs 1000; the server's EVALSHA and EVAL counts, INFO commandstats)`);
  log(`   ${quietCalls} calls in the 700 ms after a sync merged (no sync due): ${quietScripts} round trips (fleet ${quietStatus.state}, lastSyncAgoMs ${quietStatus.lastSyncAgoMs})`);
  log(`   ${calls} calls over 3 s: ${scripts} round trips in all, for the ${fleet.syncs - syncsBefore} syncs merged in the background (${fleet.errors} errors): ${(scripts / 3).toFixed(1)} a second, whatever the calls`);
  log(`   target 0 per call: ${verdict(quietScripts === 0)} (${quietScripts / quietCalls} per call)`);
}

/** 4. 4 processes × 16 loops of back-to-back syncs on one breaker's keys, for 5 s from one moment; one loop alone first. */
async function syncsPerSecond(log) {
  const LOOPS = 16;
  const FOR_MS = 5_000;
  const name = `bench-syncs-${Date.now()}`;
  const folder = join(stagedFleetFolder(), "redis");
  const hammer = (kind, count, startAt, forMs) =>
    resultsFrom(
      process.execPath,
      [join(folder, "race.mjs"), JSON.stringify({ op: "hammer", kind, url: server.url, name, count, startAt, forMs, limits: { windowMs: 60_000, maxLeases: 1, probeTimeoutMs: 10_000 } })],
      { cwd: folder, env: { EDGEBREAKER_HOST_TESTS: hostTestsDir } },
    ).then((results) => results[0]);
  const alone = await hammer("ioredis", 1, Date.now(), 1_000);
  const before = await commandCounts();
  const startAt = Date.now() + 1_000;
  const hammered = await Promise.all(Array.from({ length: 4 }, (_, index) => hammer(CLIENT_KINDS[index % 2], LOOPS, startAt, FOR_MS)));
  const after = await commandCounts();
  const answered = hammered.reduce((total, { syncs }) => total + syncs, 0);
  const scripts = after.evalsha - before.evalsha;
  const spanMs = Math.max(...hammered.map(({ endedAt }) => endedAt)) - Math.min(...hammered.map(({ startedAt }) => startedAt));
  const perSecond = (answered / spanMs) * 1000;
  log(`4. Syncs per second one redis-server answers: 4 processes (node-redis and ioredis) × ${LOOPS} loops syncing one breaker back to back, ${FOR_MS / 1000} s`);
  log(`   one loop alone: ${alone.syncs} syncs in ${alone.endedAt - alone.startedAt} ms, ${((alone.endedAt - alone.startedAt) / alone.syncs).toFixed(2)} ms a round trip (one script each)`);
  log(`   hammered: ${answered} syncs answered in ${(spanMs / 1000).toFixed(1)} s (the server ran ${scripts} scripts): ${Math.round(perSecond)} syncs/s`);
  log(`   (4 member processes, the server and this bench share ${availableParallelism()} cores: the clients' share of them bounds the figure too)`);
  log(`   target >= 1000 syncs/s: ${verdict(perSecond >= 1000)} (${Math.round(perSecond)}/s)`);
}

/**
 * 1. Trials, each a breaker of its own: 3 members call every 10 ms (successes, so only the fleet can make them
 * reject), started at random moments; 2-3 s in, the 4th fetches the failing upstream until it trips. A trial's
 * figure: from when the tripping failure came back to when the last of the others rejected (this process's clock).
 */
async function tripPropagation(fleet, upstream, log) {
  const TRIALS = 12;
  const OPTIONS = { failureThreshold: 5, windowSize: 10, resetTimeoutMs: 60_000 };
  upstream.reset();
  upstream.setFaults({ errorRate: 1, errorStatus: 500 });
  const figures = [];
  const perMember = [];
  let failedTrials = 0;
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const plan = { breaker: `bench-propagation-${Date.now()}-${trial}`, options: OPTIONS, fleet: {}, upstream: upstream.url };
    const tripper = trial % fleet.members.length;
    const watchers = fleet.members.filter((_, index) => index !== tripper);
    let watching = true;
    const watched = watchers.map(async (member) => {
      await sleep(Math.random() * 1_000);
      while (watching) {
        const seen = await member.post("/calls", plan);
        if (seen.open) return performance.now();
        await sleep(10);
      }
      return null;
    });
    await sleep(2_000 + Math.random() * 1_000);
    let tripped;
    for (let attempt = 0; attempt <= OPTIONS.failureThreshold; attempt += 1) {
      const seen = await fleet.members[tripper].post("/calls", { ...plan, through: "fetch" });
      if (seen.open) break;
      tripped = performance.now();
    }
    const stopWatching = setTimeout(() => (watching = false), 8_000);
    const rejections = await Promise.all(watched);
    clearTimeout(stopWatching);
    watching = false;
    if (rejections.some((at) => at === null)) {
      failedTrials += 1;
      continue;
    }
    const delays = rejections.map((at) => at - tripped);
    perMember.push(...delays);
    figures.push(Math.max(...delays));
  }
  log(`1. Trip propagation on Redis (4 Node processes, syncIntervalMs 1000, calls 10 ms apart in each, ${TRIALS} trials; times from this process's clock)`);
  if (figures.length === 0) return log(`   in no trial did every member reject within 8 s: MISSED (no figure)`);
  const p99 = percentile(figures, 99);
  log(`   from the tripping failure to every member rejecting: p50 ${ms(median(figures))}, p90 ${ms(percentile(figures, 90))}, p99 ${ms(p99)}, max ${ms(Math.max(...figures))}`);
  log(`   each member, from the tripping failure to its first rejection: p50 ${ms(median(perMember))}, p99 ${ms(percentile(perMember, 99))}`);
  if (failedTrials) log(`   trials in which a member never rejected within 8 s: ${failedTrials} (MISSED)`);
  log(`   target p99 <= syncIntervalMs + 100 ms = 1100 ms: ${verdict(failedTrials === 0 && p99 <= 1100)} (${ms(p99)})`);
}

/** 2. Trials: the fleet opened by one member, then at half-open 4 members × 500 concurrent calls to a slow upstream. */
async function probes(fleet, upstream, log) {
  const TRIALS = 3;
  const results = [];
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const halfOpenMaxCalls = trial + 1;
    const options = { failureThreshold: 3, windowSize: 5, resetTimeoutMs: 2_000, successThreshold: halfOpenMaxCalls, halfOpenMaxCalls, probeTimeoutMs: 10_000 };
    const plan = { breaker: `bench-probes-${Date.now()}-${trial}`, options, fleet: {}, upstream: upstream.url };
    upstream.reset();
    for (const member of fleet.members) await member.post("/calls", plan);
    await sleep(1_100);
    for (const member of fleet.members) await member.post("/calls", plan); // every member synced: the fleet as all know it
    upstream.setFaults({ errorRate: 1, errorStatus: 500 });
    for (let attempt = 0; attempt < options.failureThreshold; attempt += 1) await fleet.members[0].post("/calls", { ...plan, through: "fetch" });
    const openedAt = performance.now();
    await sleep(1_100);
    for (const member of fleet.members) await member.post("/calls", plan); // every member learns the fleet is open
    await sleep(Math.max(0, openedAt + options.resetTimeoutMs + 100 - performance.now()));
    upstream.reset();
    upstream.setFaults({ latencyMs: 1_500 });
    const seen = await Promise.all(fleet.members.map((member) => member.post("/calls", { ...plan, through: "fetch", count: 500 })));
    const admitted = seen.reduce((total, counted) => total + (counted.ok ?? 0) + (counted.failed ?? 0), 0);
    results.push({ halfOpenMaxCalls, requests: upstream.counters.requests, admitted });
  }
  log(`2. Probes fleet-wide when the fleet half-opens: 4 members × 500 concurrent calls, the upstream answering in 1.5 s (default redisFleet options)`);
  for (const { halfOpenMaxCalls, requests, admitted } of results) log(`   halfOpenMaxCalls ${halfOpenMaxCalls}: ${requests} requests reached the upstream (${admitted} calls admitted of 2000)`);
  log(`   target exactly halfOpenMaxCalls: ${verdict(results.every(({ halfOpenMaxCalls, requests }) => requests === halfOpenMaxCalls))}`);
}
