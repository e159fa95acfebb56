// One breaker for a fleet of isolates: four Workers (four isolates) with the
// `fleet` option, one FleetCoordinator Durable Object per breaker name, the
// fake upstream on 127.0.0.1 counting what reaches it. Each test has a
// breaker name (so a coordinator object) of its own.
//
// Times: isolates sync every SYNC_INTERVAL_MS while they have traffic. The
// contract is that every isolate rejects within syncIntervalMs + one round
// trip of the fleet opening; the tests check it as 2 × syncIntervalMs, which
// holds while a round trip takes less than syncIntervalMs (a bound, not a
// measurement: `make bench` reports the figures).

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { sleep } from "../edge/upstream.mjs";
import { consumerFolder, hostTestsDir } from "../harness/packed.mjs";
import { runCommand } from "../harness/processes.mjs";
import { folder, ISOLATES, startFleet } from "./fleet.mjs";

const SYNC_INTERVAL_MS = 500;
const TIMEOUT_MS = 300;
const PROPAGATION_BOUND_MS = 2 * SYNC_INTERVAL_MS;
const BREAKER_OPTIONS = { failureThreshold: 3, windowSize: 5, resetTimeoutMs: 2_000, successThreshold: 2, halfOpenMaxCalls: 2, probeTimeoutMs: 10_000 };
const everyIsolate = Array.from({ length: ISOLATES }, (_, index) => index);

let fleet;
let upstream;
before(async () => {
  upstream = await startFakeUpstream();
  fleet = await startFleet();
});
after(async () => {
  await fleet?.stop();
  await upstream?.close();
});

let breakersMade = 0;

/**
 * A breaker of the test's own in every isolate, isolate i's clock skewed by
 * `skews[i]` ms; `options` for all, or `options(i)` for isolate i.
 */
function fleetBreaker({ skews = [0, 0, 0, 0], options = BREAKER_OPTIONS } = {}) {
  const name = `fleet-${++breakersMade}`;
  const plan = (isolate, more) => ({
    breaker: name,
    options: typeof options === "function" ? options(isolate) : options,
    fleet: { syncIntervalMs: SYNC_INTERVAL_MS, timeoutMs: TIMEOUT_MS },
    skewMs: skews[isolate],
    upstream: upstream.url,
    ...more,
  });
  const post = (isolate, route, more = {}) => fleet.isolates[isolate].post(route, plan(isolate, more));
  return {
    /** `count` concurrent calls (`through` "call": a function that succeeds; "fetch": the upstream); what the callers saw, counted. */
    calls: (isolate, more) => post(isolate, "/calls", more),
    status: (isolate) => post(isolate, "/status"),
    fleetStatus: async (isolate) => (await post(isolate, "/status")).fleet,
    tellCoordinator: (command, mode) => post(0, "/coordinator", { command, mode }),
    tamper: (isolate, tamper) => post(isolate, "/tamper", { tamper }),
    oversize: () => post(0, "/oversize"),
  };
}

/** Resolves with `check()`'s first truthy value, checking every `everyMs`; rejects after `timeoutMs`. */
async function until(what, check, { timeoutMs = 10_000, everyMs = 50 } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One successful call in each isolate, until each has merged a snapshot: the fleet as every isolate knows it. */
async function joinFleet(breaker, isolates = everyIsolate) {
  for (const isolate of isolates) {
    await until(`isolate ${isolate + 1} to sync`, async () => {
      assert.deepEqual(await breaker.calls(isolate), { ok: 1 });
      return (await breaker.fleetStatus(isolate)).syncs >= 1;
    });
  }
}

/** Calls in `isolates` every 20 ms (successes while admitted) until `stop()`; `firstRejection[i]`: when isolate i first saw "open". */
function keepCalling(breaker, isolates) {
  const firstRejection = [];
  let calling = true;
  const loops = isolates.map(async (isolate) => {
    while (calling) {
      const seen = await breaker.calls(isolate);
      if (seen.open && firstRejection[isolate] === undefined) firstRejection[isolate] = performance.now();
      await sleep(20);
    }
  });
  return {
    firstRejection,
    stop: async () => {
      calling = false;
      await Promise.all(loops);
    },
  };
}

/** Fetches the (failing) upstream from `isolate` until its own breaker trips; when the call that tripped it came back. */
async function tripLocally(breaker, isolate) {
  let lastFailure;
  for (let attempt = 0; attempt <= BREAKER_OPTIONS.failureThreshold; attempt += 1) {
    const seen = await breaker.calls(isolate, { through: "fetch" });
    if (seen.open) return lastFailure;
    assert.deepEqual(seen, { failed: 1 });
    lastFailure = performance.now();
  }
  throw new Error(`isolate ${isolate + 1} did not trip after ${BREAKER_OPTIONS.failureThreshold} failures`);
}

/**
 * The whole story, as the tests below tell it in parts: the upstream fails,
 * the fleet opens, half-opens under a burst of calls in every isolate, and
 * closes. Returns what was counted at each step (the same, whatever the clocks say).
 */
async function outageAndRecovery(breaker, t) {
  const told = {};
  upstream.reset();
  await joinFleet(breaker);

  // The upstream fails. Isolate 1 trips on its own; the others, calling all along (successes), learn it from the fleet.
  const others = everyIsolate.slice(1);
  const traffic = keepCalling(breaker, others);
  upstream.setFaults({ errorRate: 1, errorStatus: 500 });
  const tripped = await tripLocally(breaker, 0);
  const trippedTraffic = keepCalling(breaker, [0]);
  await until("every isolate to reject", () => others.every((isolate) => traffic.firstRejection[isolate] !== undefined));
  const delays = others.map((isolate) => Math.round(traffic.firstRejection[isolate] - tripped));
  t.diagnostic(`from isolate 1's trip to the first rejection in isolates 2-4: ${delays.join(", ")} ms (syncIntervalMs ${SYNC_INTERVAL_MS}; calls every 20 ms)`);
  told.propagationWithinBound = delays.map((delay) => delay <= PROPAGATION_BOUND_MS);
  told.upstreamRequestsInTheOutage = upstream.counters.requests;
  const statuses = await Promise.all(everyIsolate.map((isolate) => breaker.status(isolate)));
  told.fleetStates = statuses.map((status) => status.fleet.state);
  told.failuresSeenByTheOthers = statuses.slice(1).map((status) => status.metrics.failedCalls);

  // Keep the views fresh until shortly before the fleet half-opens, then stop: no call may take a probe lease early.
  const openForMs = (await breaker.status(1)).retryAfterMs;
  const halfOpenAt = performance.now() + openForMs;
  await sleep(Math.max(0, openForMs - 400));
  await Promise.all([traffic.stop(), trippedTraffic.stop()]);

  // The upstream recovers, slowly: probes stay in flight while 4 isolates × 500 callers try, three times over.
  upstream.reset();
  upstream.setFaults({ latencyMs: 1_500 });
  await sleep(Math.max(0, halfOpenAt + 100 - performance.now()));
  const bursts = [];
  for (let burst = 0; burst < 3; burst += 1) {
    bursts.push(...everyIsolate.map((isolate) => breaker.calls(isolate, { through: "fetch", count: 500 })));
    await sleep(150);
  }
  told.upstreamRequestsWhileHalfOpen = upstream.counters.requests;
  const seen = {};
  for (const counted of await Promise.all(bursts)) {
    for (const [outcome, count] of Object.entries(counted)) seen[outcome] = (seen[outcome] ?? 0) + count;
  }
  told.burstOutcomes = seen;
  told.upstreamRequestsAfterTheBursts = upstream.counters.requests;

  // The probes succeeded: the fleet closes, and every isolate lets traffic through again.
  upstream.setFaults({ latencyMs: 0 });
  await sleep(200); // the leases' settles, in the background
  told.afterRecovery = [];
  for (const isolate of everyIsolate) {
    for (let call = 0; call < 5; call += 1) told.afterRecovery.push((await breaker.calls(isolate, { through: "fetch" })).ok === 1);
  }
  told.fleetStatesAfterRecovery = await Promise.all(everyIsolate.map(async (isolate) => (await breaker.fleetStatus(isolate)).state));
  return told;
}

/** What outageAndRecovery must tell, step by step. */
const expectedStory = {
  propagationWithinBound: [true, true, true],
  upstreamRequestsInTheOutage: BREAKER_OPTIONS.failureThreshold,
  fleetStates: ["open", "open", "open", "open"],
  failuresSeenByTheOthers: [0, 0, 0],
  upstreamRequestsWhileHalfOpen: BREAKER_OPTIONS.halfOpenMaxCalls,
  burstOutcomes: { ok: BREAKER_OPTIONS.halfOpenMaxCalls, half_open: 3 * ISOLATES * 500 - BREAKER_OPTIONS.halfOpenMaxCalls },
  upstreamRequestsAfterTheBursts: BREAKER_OPTIONS.halfOpenMaxCalls,
  afterRecovery: Array(ISOLATES * 5).fill(true),
  fleetStatesAfterRecovery: ["closed", "closed", "closed", "closed"],
};

describe("a fleet of four isolates", () => {
  test(
    "one isolate's trip opens the fleet and every isolate rejects within 2 × syncIntervalMs; in half_open, 4 isolates × 500 " +
      "concurrent calls let exactly halfOpenMaxCalls requests reach the upstream; then the fleet closes and every isolate lets traffic through",
    async (t) => {
      assert.deepEqual(await outageAndRecovery(fleetBreaker(), t), expectedStory);
    },
  );

  test("clocks skewed by ±30 s between the isolates change no outcome", async (t) => {
    const skewed = fleetBreaker({ skews: [30_000, -30_000, 30_000, -30_000] });
    assert.deepEqual(await outageAndRecovery(skewed, t), expectedStory);
  });
});

describe("a coordinator that fails does not fail the calls", () => {
  const failures = {
    throw: { counted: "errors", lastError: /^sync failed: .*the coordinator is down/ },
    hang: { counted: "errors", lastError: new RegExp(`^(sync|lease) failed: no answer within ${TIMEOUT_MS} ms`) },
    garbage: { counted: "refused", lastError: /^refused: / },
  };
  for (const [mode, { counted, lastError }] of Object.entries(failures)) {
    test(`a coordinator that ${mode === "garbage" ? "answers garbage" : `${mode}s`}: calls flow through the local breakers, status counts it, and the fleet recovers with the coordinator`, async () => {
      const breaker = fleetBreaker();
      upstream.reset();
      await joinFleet(breaker);
      await breaker.tellCoordinator("setMode", mode);

      // Calls go on in every isolate, admitted by their own breakers, until each has counted the failure.
      await until("every isolate to count the coordinator's failure", async () => {
        const statuses = await Promise.all(
          everyIsolate.map(async (isolate) => {
            assert.deepEqual(await breaker.calls(isolate), { ok: 1 }, `isolate ${isolate + 1} let the call through`);
            return breaker.fleetStatus(isolate);
          }),
        );
        return statuses.every((status) => status[counted] >= 1);
      });
      for (const isolate of everyIsolate) {
        const status = await breaker.fleetStatus(isolate);
        assert.match(status.lastError, lastError);
        assert.ok(status.backoffMs >= 1_000, `isolate ${isolate + 1} backs off: ${status.backoffMs}`);
        assert.equal(status.state, "closed", "the fleet as last known");
      }

      // The local breakers still protect the upstream on their own.
      upstream.setFaults({ errorRate: 1, errorStatus: 500 });
      await tripLocally(breaker, 1);
      assert.equal(upstream.counters.requests, BREAKER_OPTIONS.failureThreshold);
      upstream.reset();

      // The coordinator recovers: syncs resume in every isolate (after its backoff), and the fleet is a fleet
      // again: a trip opens it for everyone (isolate 2's own, if its report outlived the outage, or isolate 1's).
      await breaker.tellCoordinator("setMode", "normal");
      await until(
        "every isolate to sync again",
        async () => {
          const statuses = await Promise.all(everyIsolate.map(async (isolate) => (await breaker.calls(isolate), breaker.fleetStatus(isolate))));
          return statuses.every((status) => status.backoffMs === 0);
        },
        { timeoutMs: 15_000, everyMs: 100 },
      );
      const traffic = keepCalling(breaker, [2, 3]);
      upstream.setFaults({ errorRate: 1, errorStatus: 500 });
      await tripLocally(breaker, 0);
      await until("the other isolates to reject", () => traffic.firstRejection[2] !== undefined && traffic.firstRejection[3] !== undefined);
      await traffic.stop();
      await until("isolates 1, 3 and 4 to know the fleet is open", async () => {
        const states = await Promise.all([0, 2, 3].map(async (isolate) => (await breaker.calls(isolate), (await breaker.fleetStatus(isolate)).state)));
        return states.every((state) => state === "open");
      });
    });
  }

  test("a coordinator reset mid-outage (memory lost, storage kept) answers the stored state: the fleet stays open, at its generation", async () => {
    const breaker = fleetBreaker({ options: { ...BREAKER_OPTIONS, resetTimeoutMs: 60_000 } });
    upstream.reset();
    await joinFleet(breaker);
    const traffic = keepCalling(breaker, [1, 2, 3]);
    upstream.setFaults({ errorRate: 1, errorStatus: 500 });
    await tripLocally(breaker, 0);
    const trippedTraffic = keepCalling(breaker, [0]);
    await until("every isolate to reject", () => [1, 2, 3].every((isolate) => traffic.firstRejection[isolate] !== undefined));
    const before = await Promise.all(everyIsolate.map((isolate) => breaker.fleetStatus(isolate)));
    assert.deepEqual(before.map((status) => status.state), ["open", "open", "open", "open"]);
    const { generation } = before[0];

    const reset = await breaker.tellCoordinator("reset");
    assert.equal(reset.ok, false, "ctx.abort() ends the call that asked for it");
    await until(
      "two more syncs in every isolate",
      async () => {
        const statuses = await Promise.all(everyIsolate.map((isolate) => breaker.fleetStatus(isolate)));
        return statuses.every((status, isolate) => status.syncs >= before[isolate].syncs + 2);
      },
      { everyMs: 100 },
    );
    await Promise.all([traffic.stop(), trippedTraffic.stop()]);
    for (const isolate of everyIsolate) {
      const status = await breaker.fleetStatus(isolate);
      assert.equal(status.state, "open", `isolate ${isolate + 1}`);
      assert.equal(status.generation, generation, `isolate ${isolate + 1}`);
      assert.equal(status.refused, 0, `isolate ${isolate + 1} was never answered a lower generation`);
    }
  });
});

test("isolates whose options differ (a deployment rolling out): the coordinator rebuilds its core from its own state, and the fleet stays open", async () => {
  const breaker = fleetBreaker({ options: (isolate) => ({ ...BREAKER_OPTIONS, resetTimeoutMs: 60_000, failureThreshold: isolate === 0 ? 3 : 4, windowSize: 8 }) });
  upstream.reset();
  await joinFleet(breaker);
  upstream.setFaults({ errorRate: 1, errorStatus: 500 });
  await tripLocally(breaker, 0);
  const { generation } = await until("the fleet to open", async () => {
    const status = await breaker.fleetStatus(0);
    return status.state === "open" && status;
  });
  for (const isolate of [1, 0, 2, 1, 3]) {
    await until(`isolate ${isolate + 1} to sync`, async () => {
      const before = (await breaker.fleetStatus(isolate)).syncs;
      await breaker.calls(isolate);
      await sleep(SYNC_INTERVAL_MS);
      await breaker.calls(isolate);
      return (await breaker.fleetStatus(isolate)).syncs > before;
    });
    const status = await breaker.fleetStatus(isolate);
    assert.deepEqual([status.state, status.generation, status.errors, status.refused], ["open", generation, 0, 0], `isolate ${isolate + 1}`);
  }
  assert.equal(upstream.counters.requests, 3, "only isolate 1's failures reached the upstream");
});

test("isolates whose options all differ (a deployment rolling out) still open the fleet by the count rule: the coordinator keeps one core until the fleet changes state", async () => {
  // Two failures per isolate: none trips locally (failureThreshold 4), the fleet's window of 8 does.
  const options = (isolate) => ({ ...BREAKER_OPTIONS, failureThreshold: 4, windowSize: 1_000, resetTimeoutMs: 60_000 + isolate * 1_000 });
  const breaker = fleetBreaker({ options });
  upstream.reset();
  await joinFleet(breaker);
  upstream.setFaults({ errorRate: 1, errorStatus: 500 });
  for (const isolate of everyIsolate) assert.deepEqual(await breaker.calls(isolate, { count: 2, through: "fetch" }), { failed: 2 });
  upstream.setFaults({ errorRate: 0 });
  const traffic = keepCalling(breaker, everyIsolate);
  await until("every isolate to reject", () => everyIsolate.every((isolate) => traffic.firstRejection[isolate] !== undefined));
  await traffic.stop();
  for (const isolate of everyIsolate) {
    const status = await breaker.status(isolate);
    assert.equal(status.fleet.state, "open", `isolate ${isolate + 1}`);
    assert.equal(status.metrics.failedCalls, 2, `isolate ${isolate + 1} saw its own two failures only`);
  }
  assert.equal(upstream.counters.requests, 8);
});

describe("snapshots that fail validation are refused and counted", () => {
  const tamperings = {
    version: /^refused: version /,
    negative: /^refused: syncAfterMs /,
    huge: /^refused: generation /,
    state: /^refused: state /,
    lowerGeneration: /^refused: generation must be at least 1/,
    tenMegabytes: /^refused: the answer must be at most 65536 characters; got 1048\d{4}/,
  };
  for (const [tamper, lastError] of Object.entries(tamperings)) {
    test(`a snapshot with ${tamper === "tenMegabytes" ? "a 10 MB body" : `a tampered ${tamper}`} changes nothing, and is counted in status.fleet.refused`, async () => {
      const breaker = fleetBreaker({ options: { ...BREAKER_OPTIONS, resetTimeoutMs: 60_000 } });
      upstream.reset();
      await joinFleet(breaker, [0]);
      if (tamper === "lowerGeneration") {
        upstream.setFaults({ errorRate: 1, errorStatus: 500 });
        await tripLocally(breaker, 0);
        await until("the fleet to open", async () => (await breaker.fleetStatus(0)).generation >= 1);
        upstream.reset();
      }
      const before = await breaker.fleetStatus(0);
      await breaker.tamper(0, tamper);
      const refused = await until("the tampered snapshot to be refused", async () => {
        await breaker.calls(0);
        const status = await breaker.fleetStatus(0);
        return status.refused >= 1 && status;
      });
      assert.match(refused.lastError, lastError);
      assert.equal(refused.generation, before.generation, "nothing merged");
      assert.equal(refused.state, before.state);
      if (tamper === "lowerGeneration") {
        // Indistinguishable from an answer overtaken by a newer one: counted, but no sign of a failing coordinator.
        assert.equal(refused.backoffMs, 0, "a lower generation does not back the syncs off");
      } else {
        assert.ok(refused.backoffMs >= 1_000, `backoffMs ${refused.backoffMs}`);
      }
      await breaker.tamper(0, null);
    });
  }

  test("the coordinator refuses a 10 MB report before its core reads it, and goes on answering", async () => {
    const breaker = fleetBreaker();
    await joinFleet(breaker, [0]);
    assert.match((await breaker.oversize()).error, /reportJson must be at most 65536 characters; got 10485760/);
    const { syncs } = await breaker.fleetStatus(0);
    await until("another sync", async () => {
      await breaker.calls(0);
      return (await breaker.fleetStatus(0)).syncs > syncs;
    });
  });
});

test("durableObjectFleet gives one transport per namespace and options (so protectFetch may be made in every request), and names what is wrong", async () => {
  for (const request of [1, 2]) {
    assert.deepEqual(
      await fleet.isolates[0].post("/transports", {}),
      {
        sameAgain: true,
        otherForOtherOptions: true,
        defaults: { syncIntervalMs: 1000, timeoutMs: 500 },
        noNamespace: "TypeError: namespace must be a Durable Object namespace (env.BREAKER_FLEET); got undefined",
        typo: 'TypeError: unknown option "syncIntervalMS" of durableObjectFleet',
        zeroTimeout: "RangeError: timeoutMs must be a whole number of milliseconds from 1 to 2147483647; got 0",
      },
      `request ${request}`,
    );
  }
});

test("a Workers project type-checks against the published types of both entries (tsc, @cloudflare/workers-types, workerd conditions)", async () => {
  const compilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    target: "es2022",
    lib: ["es2022"],
    module: "esnext",
    moduleResolution: "bundler",
    customConditions: ["workerd", "worker", "browser"],
    types: ["@cloudflare/workers-types"],
    typeRoots: [join(hostTestsDir, "node_modules")],
  };
  writeFileSync(join(folder, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["typed-worker.ts"] }));
  const { code, stdout } = await runCommand(join(hostTestsDir, "node_modules", ".bin", "tsc"), ["-p", join(folder, "tsconfig.json")], { cwd: folder });
  assert.equal(code, 0, stdout);
});

test("only edgebreaker/cloudflare imports cloudflare:workers: the main entries know a fleet by its interface alone", () => {
  const dist = join(consumerFolder(), "node_modules", "edgebreaker", "dist");
  for (const entry of ["index.js", "browser.js", "workerd.js"]) assert.doesNotMatch(readFileSync(join(dist, entry), "utf8"), /cloudflare:/, entry);
  assert.match(readFileSync(join(dist, "cloudflare.js"), "utf8"), /^import \{ DurableObject \} from "cloudflare:workers";$/m);
});
