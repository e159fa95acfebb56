// npm run demo: a breaker in front of a flaky upstream, on an accelerated
// clock (each tick is 250 ms of simulated time, shown in 50 ms), printing it
// open, reject, probe, back off and close again, with its metrics as it goes.
import { CircuitBreaker, CircuitBreakerError } from "../dist/index.js";

const TICK_MS = 250;
const REAL_MS_PER_TICK = 50;
const TICKS = 28;
const OUTAGE = { from: 1_500, to: 5_000 };
let now = 0;

async function flakyUpstream(request) {
  if (now >= OUTAGE.from && now < OUTAGE.to) throw new Error(`503 from upstream for ${request}`);
  return `answer to ${request}`;
}

const breaker = new CircuitBreaker({
  name: "flaky-upstream",
  clock: () => now,
  failureThreshold: 3,
  windowSize: 5,
  resetTimeoutMs: 1_000,
  maxResetTimeoutMs: 4_000, // each failed probe doubles the open time, up to 4 s
  successThreshold: 2,
});

const seconds = (ms) => `${(ms / 1000).toFixed(2)}s`;
const changes = [];
breaker.addEventListener("statechange", ({ detail }) => changes.push(detail));

function metrics() {
  const { metrics: m, retryAfterMs } = breaker.getStatus();
  return (
    `calls ${String(m.totalCalls).padStart(2)} = ok ${String(m.successfulCalls).padStart(2)} + failed ${m.failedCalls} + ` +
    `blocked ${String(m.blockedCalls).padStart(2)}   window failure rate ${String(Math.round(m.failureRate * 100)).padStart(3)}%` +
    (retryAfterMs > 0 ? `   probe in ${seconds(retryAfterMs)}` : "")
  );
}

console.log(
  `edgebreaker demo: upstream down from ${seconds(OUTAGE.from)} to ${seconds(OUTAGE.to)}. Breaker: opens at 3 failures of the last 5,\n` +
    "stays open 1 s (doubling after each failed probe, up to 4 s), closes after 2 good probes.\n",
);
let blockedRun = 0;
for (let tick = 0; tick < TICKS; tick++) {
  now = tick * TICK_MS;
  const request = `#${tick + 1}`;
  const before = breaker.state; // reading the state applies what time implies, e.g. open -> half_open
  const changedBefore = changes.splice(0);
  let outcome;
  let blocked = false;
  try {
    outcome = `ok       ${await breaker.call(flakyUpstream, request)}`;
  } catch (error) {
    blocked = error instanceof CircuitBreakerError;
    outcome = blocked ? `blocked  CircuitBreakerError, retry in ${seconds(error.retryAfterMs)}` : `failed   ${error.message}`;
  }
  // Long open stretches print their first refusal and a count of the rest.
  blockedRun = blocked ? blockedRun + 1 : 0;
  printChanges(changedBefore);
  if (blockedRun <= 1) {
    const role = before === "half_open" ? "probe " : "";
    console.log(`${seconds(now).padStart(6)}  ${before.padEnd(9)}  ${(role + outcome).padEnd(48)}  ${metrics()}`);
  } else if (breaker.getStatus().retryAfterMs <= TICK_MS) {
    console.log(`${"".padStart(6)}  ${"".padEnd(9)}  ... ${blockedRun - 1} more calls blocked, the upstream spared`);
  }
  printChanges(changes.splice(0));
  await new Promise((resolve) => setTimeout(resolve, REAL_MS_PER_TICK));
}

function printChanges(list) {
  for (const { from, to, at } of list) {
    console.log(`        ── ${from} -> ${to} at ${seconds(at)}${to === "half_open" ? ": the next call is a probe" : ""}`);
  }
}

const { state, metrics: m } = breaker.getStatus();
console.log(`\nend: ${state}, ${m.stateChanges} state changes; ${m.blockedCalls} of ${m.totalCalls} calls never reached the failing upstream.`);
