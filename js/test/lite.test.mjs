// edgebreaker/lite as the installed package ships it: entries without the
// fetch layer, the fleet link and snapshots, whose breakers work as
// "edgebreaker"'s do, with a registry of their own. Which wasm its entries load
// is in wasm-files.test.mjs; its types and what it refuses, in ts/lite.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as full from "edgebreaker";
import * as lite from "edgebreaker/lite";
import { distText } from "./helpers.mjs";
import { tests as typedTests } from "./ts/lite.js";

const MAIN_ENTRIES = ["index.js", "browser.js", "workerd.js"];
const LITE_ENTRIES = ["lite.js", "lite-browser.js", "lite-workerd.js"];

/** A string each module lite leaves out ships in a bundle that has it, and no other module of the package does. */
const LEFT_OUT_MARKERS = {
  "the fetch layer (fetch/call.ts)": "the response body was never read",
  "the fetch layer's stream reader (fetch/sse.ts)": "text/event-stream",
  // Methods' names, which minifying keeps: the link defines them, and the breaker's own fleet paths
  // (engine.ts) call them, unless FLEETS (defined false for lite's bundles) folds those paths away.
  "the fleet link (fleet/link.ts) and the breaker's settling through it": "settleLeased",
  "the fleet link (fleet/link.ts) and the breaker's admission through it": "admitOnReadyLease",
  "the fleet option's check (checks.ts's fleetTransport)": "fleet must be a fleet transport",
  "snapshots (snapshot.ts)": "snapshot must be an object from breaker.snapshot()",
  "restores (restore.ts)": "snapshot must be at most",
};

test("lite's entries ship none of the fetch layer, the fleet link, snapshots and restores, which the main entries ship", () => {
  for (const [module, marker] of Object.entries(LEFT_OUT_MARKERS)) {
    for (const entry of MAIN_ENTRIES) assert.ok(distText(entry).includes(marker), `${entry} lacks ${module}: "${marker}" (a marker to update?)`);
    for (const entry of LITE_ENTRIES) assert.ok(!distText(entry).includes(marker), `${entry} ships ${module}: "${marker}"`);
  }
});

test("lite's bundles minify identifiers, and its public classes keep their names", () => {
  for (const entry of MAIN_ENTRIES) assert.ok(distText(entry).includes("function coreNumbers("), `${entry} lacks "function coreNumbers(": its identifiers were minified`);
  for (const entry of LITE_ENTRIES) assert.ok(!distText(entry).includes("function coreNumbers("), `${entry} keeps its identifiers`);
  for (const name of ["CircuitBreaker", "Permit", "CircuitBreakerError", "TimeoutError", "StateChangeEvent"]) {
    assert.equal(lite[name].name, name);
  }
  assert.equal(new lite.CircuitBreaker().constructor.name, "CircuitBreaker");
});

test("a lite breaker works: call, acquire, state, getStatus and statechange events, on a fake clock", async () => {
  let now = 1_000;
  const breaker = new lite.CircuitBreaker({ name: "lite-works", clock: () => now, failureThreshold: 1, resetTimeoutMs: 100, successThreshold: 1 });
  const changes = [];
  breaker.addEventListener("statechange", ({ detail: { from, to, at, cause } }) => changes.push({ from, to, at, cause }));
  assert.equal(await breaker.call(async (a, b) => a + b, 2, 3), 5);
  now = 1_010;
  await assert.rejects(breaker.call(async () => { throw new Error("down"); }), { message: "down" });
  assert.equal(breaker.state, lite.State.OPEN);
  now = 1_060;
  assert.throws(() => breaker.acquire(), (error) => error instanceof lite.CircuitBreakerError && error.state === "open" && error.retryAfterMs === 50);
  now = 1_110;
  assert.equal(breaker.state, "half_open");
  breaker.acquire().success();
  assert.equal(breaker.state, "closed");
  assert.deepEqual(changes, [
    { from: "closed", to: "open", at: 1_010, cause: "failure_threshold" },
    { from: "open", to: "half_open", at: 1_110, cause: "open_time_elapsed" },
    { from: "half_open", to: "closed", at: 1_110, cause: "probes_succeeded" },
  ]);
  const { name, state, retryAfterMs, metrics, fleet } = breaker.getStatus();
  assert.deepEqual({ name, state, retryAfterMs, fleet }, { name: "lite-works", state: "closed", retryAfterMs: 0, fleet: null });
  assert.deepEqual(
    { total: metrics.totalCalls, successes: metrics.successfulCalls, failures: metrics.failedCalls, blocked: metrics.blockedCalls, changes: metrics.stateChanges },
    { total: 4, successes: 2, failures: 1, blocked: 1, changes: 3 },
  );
});

test("lite's registry is its own: a name registered in \"edgebreaker\" is not in lite's, and clearing one leaves the other", () => {
  full.clearCircuitBreakerRegistry();
  lite.clearCircuitBreakerRegistry();
  const mainBreaker = full.getCircuitBreaker("shared-name");
  assert.deepEqual(Object.keys(lite.listCircuitBreakers()), []);
  const liteBreaker = lite.getCircuitBreaker("shared-name");
  assert.notEqual(liteBreaker, mainBreaker);
  assert.ok(!(liteBreaker instanceof full.CircuitBreaker), "lite's breaker is an instance of its own class");
  lite.clearCircuitBreakerRegistry();
  assert.deepEqual(Object.keys(full.listCircuitBreakers()), ["shared-name"]);
  assert.equal(full.getCircuitBreaker("shared-name"), mainBreaker);
  full.clearCircuitBreakerRegistry();
});

for (const { name, run } of typedTests) test(`TypeScript: ${name}`, run);
