// The soak: REQUESTS (default 200,000) requests through the Cloudflare example
// proxy (js/examples/cloudflare, as written; one isolate, without its fleet)
// in workerd, against the fake upstream injecting faults request by request:
// resets, truncated bodies, SSE error events, 429/503 with Retry-After 1 s,
// 500, a slow upstream, clients that read slowly or leave mid-stream, stalls
// and missing headers that only the proxy's 20 s timeouts end, and an outage
// that opens the circuit for the preset's 60 s. Prints the rate, workerd's
// memory over time and every outcome as the client, the breaker (GET /status)
// and the upstream counted it.
//
//   node host-tests/bench/soak.mjs [requests]      (after `make build`; 6 to 7 min on two busy cores)
//
// Exits non-zero when an outcome is not accounted for or the breaker still
// has calls in flight at the end. Speed and memory are reported, not judged.

import { join } from "node:path";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { examplesDir, stage, startCloudflareExample } from "../edge/runtimes.mjs";
import { account, printAccount } from "./soak-accounting.mjs";
import { countRuntimeErrors } from "./soak-log.mjs";
import { childPids, memoryReport, mib, sampleMemory } from "./soak-memory.mjs";
import { ABORTED, KINDS, NOT_DELIVERED, OK, PLAIN, send } from "./soak-requests.mjs";

const requests = Number(process.argv[2] ?? 200_000);
if (!Number.isInteger(requests) || requests < 1000) {
  throw new RangeError(`requests must be a whole number ≥ 1000; got ${process.argv[2]}`);
}
const CONCURRENCY = 64; // clients in flight at once, besides the slow lane's one
const TOKEN = "soak-client-token";
// Faults go out one at a time, each after CALM_SUCCESSES successes since the
// last trouble (a failure, a block). So the fault phases run each fault path
// thousands of times without tripping the preset (3 failures in its last 10
// calls would open the circuit for 60 s), and no failing stream is sent as a
// half-open probe (judged at its first byte, it would count as a success).
// The Retry-After faults open the circuit anyway, for a second each.
const CALM_SUCCESSES = 10;
const RECOVERY_LIMIT_MS = 90_000; // the preset opens for 60 s
const SETTLE_LIMIT_MS = 30_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const SLOW_LANE = ["stall", "noHeaders", "absentReader"];
const phases = [
  { name: "healthy", share: 0.1, faults: [] },
  { name: "resets", share: 0.15, faults: ["resetBeforeHeaders", "resetMidStream", "truncatedWhole"] },
  { name: "SSE errors", share: 0.15, faults: ["sseErrorOpenAI", "sseErrorAnthropic"] },
  { name: "429/503 Retry-After, 500", share: 0.15, faults: ["status429RetryAfter1s", "status503RetryAfter1s", "status500"] },
  { name: "slow clients, slow upstream", share: 0.15, faults: ["abandoned", "slowUpstream", "slowReader"] },
  { name: "all faults", share: 0.29, faults: Object.keys(KINDS).filter((kind) => !PLAIN.includes(kind) && !SLOW_LANE.includes(kind) && kind !== "outage") },
  { name: "outage", share: 0.01, faults: [], plain: ["outage"] },
];
// Besides the phases: light traffic until the circuit is closed, before the outage and after it.
const calm = { name: "until closed, before the outage" };
const recovery = { name: "recovery" };

const runtimeErrors = countRuntimeErrors();
const upstream = await startFakeUpstream({ faults: { requestFaults: true } });
const folder = stage(join(examplesDir, "cloudflare"));
// One isolate without the fleet binding: its breaker alone judges the faults (in a fleet, a
// Retry-After trip would open every isolate for the preset's 60 s, not for the second asked).
const proxy = await startCloudflareExample(
  folder,
  { UPSTREAM_URL: upstream.url, UPSTREAM_API_KEY: "soak-upstream-key", PROXY_TOKEN: TOKEN },
  { fleet: false },
);
const proxyUrl = new URL(proxy.url);
const [workerd] = childPids("workerd");
if (workerd === undefined) throw new Error("no workerd child process found");

const results = []; // { phase, kind, seen, ... } per request
let done = 0;
let successesSinceTrouble = CALM_SUCCESSES;
let faultInFlight = false;

async function run(phase, kind) {
  const result = await send(proxyUrl, TOKEN, kind);
  results.push({ phase: phase.name, ...result });
  done += 1;
  if (result.seen === OK) successesSinceTrouble += 1;
  else if (result.seen !== ABORTED) successesSinceTrouble = 0;
  return result;
}

/** The next kind for a client of `phase`: a fault when the circuit looks calm and no other fault is out, else plain traffic. */
function nextKind(phase) {
  if (phase.faults.length && !faultInFlight && successesSinceTrouble >= CALM_SUCCESSES) {
    phase.faultIndex = ((phase.faultIndex ?? -1) + 1) % phase.faults.length;
    return { kind: phase.faults[phase.faultIndex], fault: true };
  }
  const plain = phase.plain ?? PLAIN;
  phase.plainIndex = ((phase.plainIndex ?? -1) + 1) % plain.length;
  return { kind: plain[phase.plainIndex], fault: false };
}

async function client(phase) {
  while (phase.left > 0) {
    phase.left -= 1;
    const { kind, fault } = nextKind(phase);
    if (fault) faultInFlight = true;
    try {
      const { seen } = await run(phase, kind);
      if (seen === NOT_DELIVERED) phase.left += 1; // it never reached the proxy: send another in its place
    } finally {
      if (fault) faultInFlight = false;
    }
  }
}

/** One 20 s request after another while the fault phases last, each sent when the circuit looks calm. */
const slowLane = { phase: undefined, running: true };
async function slowLaneClient() {
  for (let index = 0; slowLane.running; ) {
    const { phase } = slowLane;
    if (phase === undefined || phase.left <= 0 || successesSinceTrouble < CALM_SUCCESSES) {
      await sleep(50);
      continue;
    }
    phase.left -= 1;
    await run(phase, SLOW_LANE[index++ % SLOW_LANE.length]);
  }
}

/** A plain request every 200 ms until the circuit is closed, for at most `limitMs`; whether it closed. */
async function sendUntilClosed(phase, limitMs) {
  const start = performance.now();
  while (performance.now() - start < limitMs) {
    if ((await status()).state === "closed") return true;
    await Promise.all([run(phase, "whole"), sleep(200)]);
  }
  return (await status()).state === "closed";
}

function printPhase(name, count, start, note = "") {
  console.log(`  ${name.padEnd(38)} ${String(count).padStart(7)} done in ${((performance.now() - start) / 1000).toFixed(1).padStart(5)} s${note}`);
}

/** The upstream's breaker, from GET /status (the registry, keyed by origin). */
async function status() {
  const response = await fetch(`${proxy.url}/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const breakers = await response.json();
  if (!breakers[upstream.url]) throw new Error(`GET /status: ${response.status}, no breaker for ${upstream.url}: ${JSON.stringify(breakers)}`);
  return breakers[upstream.url];
}
const memory = sampleMemory(workerd, () => done);

console.log(`soak: ${requests} requests, ${CONCURRENCY} clients (+1 slow lane), the Cloudflare example in workerd (pid ${workerd})`);
const started = performance.now();
const slowLaneDone = slowLaneClient();
let assigned = 0;
for (const [index, phase] of phases.entries()) {
  phase.left = index === phases.length - 1 ? requests - assigned : Math.round(requests * phase.share);
  assigned += phase.left;
  if (phase.name === "outage") {
    // The outage must find the circuit closed (a Retry-After may have it open for a second): it is the trip.
    slowLane.running = false;
    await sendUntilClosed(calm, 15_000);
  }
  const phaseStart = performance.now();
  const doneBefore = done;
  slowLane.phase = index > 0 ? phase : undefined;
  await Promise.all(Array.from({ length: CONCURRENCY }, () => client(phase)));
  printPhase(phase.name, done - doneBefore, phaseStart);
}
const trafficSeconds = (performance.now() - started) / 1000;
const trafficDone = done;

// The outage opened the circuit for the preset's 60 s: a client every 200 ms until it has closed again.
const recoveryStart = performance.now();
const recoveryDone = done;
const recovered = await sendUntilClosed(recovery, RECOVERY_LIMIT_MS);
printPhase(`${recovery.name} (1 client / 200 ms)`, done - recoveryDone, recoveryStart, `: circuit ${recovered ? "closed" : "still not closed"}`);
await slowLaneDone;

// Everything has answered; the breaker may still be judging the last bodies: wait a little.
const settleStart = performance.now();
let final = await status();
while (final.metrics.inFlight !== 0 && performance.now() - settleStart < SETTLE_LIMIT_MS) {
  await sleep(100);
  final = await status();
}
const settleMs = performance.now() - settleStart;
const samples = memory.stop();
const counters = upstream.counters;
await proxy.stop();
await upstream.close();

// Report.
const rate = trafficDone / trafficSeconds;
console.log(
  `\n${results.length} requests in ${((performance.now() - started) / 1000).toFixed(0)} s; ` +
    `the ${trafficDone} of the phases in ${trafficSeconds.toFixed(0)} s: ${rate.toFixed(0)} requests/s`,
);
console.log(memoryReport(samples, trafficDone, "after the recovery"));
const report = account(results, final.metrics, counters, KINDS);
printAccount(report);
const logged = [...runtimeErrors.counts].sort(([, a], [, b]) => b - a);
const loggedLines = logged.reduce((sum, [, count]) => sum + count, 0);
console.log(`\nworkerd's error log: ${loggedLines} line${loggedLines === 1 ? "" : "s"}, ${logged.length} distinct (each shown once above)`);
for (const [line, count] of logged) console.log(`  ${String(count).padStart(6)} × ${line.length > 150 ? `${line.slice(0, 150)}…` : line}`);
console.log(`breaker at the end: state ${final.state}, inFlight ${final.metrics.inFlight} (${settleMs.toFixed(0)} ms after the last client was done); upstream inFlight ${counters.inFlight}`);
const problems = [...report.problems];
if (final.metrics.inFlight !== 0) problems.push(`the breaker still has ${final.metrics.inFlight} calls in flight`);
if (counters.inFlight !== 0) problems.push(`the upstream still has ${counters.inFlight} requests open`);
if (!recovered) problems.push("the circuit did not close again after the outage");
if (results.length - report.notDelivered < requests) problems.push(`only ${results.length - report.notDelivered} of ${requests} requests reached the proxy`);
console.log(
  problems.length
    ? `\nsoak FAILED: ${problems.join("; ")}`
    : `\nsoak passed: ${results.length} requests, every outcome accounted for, inFlight 0, workerd RSS ${mib(samples[0].kib)} → ${mib(samples.at(-1).kib)} MiB`,
);
process.exit(problems.length ? 1 : 0);

