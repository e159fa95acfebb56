// Driving a fleet under test, whatever its engine: the fake upstream and the
// engine's fleet started around a test file, breakers of each test's own, and
// the steps the scenarios are told in (join, trip, keep calling, wait).
//
// Times: members sync every SYNC_INTERVAL_MS while they have traffic. The
// contract is that every member rejects within syncIntervalMs + one round trip
// of the fleet opening; the tests check it as 2 × syncIntervalMs, which holds
// while a round trip takes less than syncIntervalMs (a bound, not a
// measurement: `make bench` reports the figures). Every wait is a bound with a
// deadline, never a sleep that a loaded machine could outrun.

import assert from "node:assert/strict";
import { after, before } from "node:test";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { sleep } from "../edge/upstream.mjs";

export { sleep };

/** How many members every engine starts. */
export const MEMBERS = 4;
export const SYNC_INTERVAL_MS = 500;
/**
 * Generous: in a burst of 500 calls a member's event loop lags by hundreds of
 * milliseconds on a loaded machine, a lease on a store is a few round trips,
 * and a lease that times out fails open to the member's own breaker, whose
 * probes would then reach the upstream beside the fleet's.
 */
export const TIMEOUT_MS = 2_500;
export const PROPAGATION_BOUND_MS = 2 * SYNC_INTERVAL_MS;
export const BREAKER_OPTIONS = { failureThreshold: 3, windowSize: 5, resetTimeoutMs: 2_000, successThreshold: 2, halfOpenMaxCalls: 2, probeTimeoutMs: 10_000 };
export const everyMember = Array.from({ length: MEMBERS }, (_, index) => index);

/**
 * Registers the hooks that start the fake upstream and `engine`'s fleet before
 * the file's tests and stop both after them (also when a test failed). Returns
 * the running fleet: `members`, `store` and `upstream` (once started), and
 * `breaker()`, a breaker of the test's own in every member.
 */
export function fleetUnderTest(engine) {
  let started;
  let upstream;
  let breakersMade = 0;
  before(async () => {
    upstream = await startFakeUpstream();
    started = await engine.start();
    assert.equal(started.members.length, MEMBERS, `${engine.name} starts ${MEMBERS} members`);
  });
  after(async () => {
    await started?.stop();
    await upstream?.close();
  });
  return {
    engine,
    get members() {
      return started.members;
    },
    get store() {
      return started.store;
    },
    get upstream() {
      return upstream;
    },
    /**
     * A breaker of the test's own in every member, member i's clock skewed by
     * `skews[i]` ms; `options` for all, or `options(i)` for member i.
     */
    breaker({ skews = [0, 0, 0, 0], options = BREAKER_OPTIONS } = {}) {
      const name = `${engine.name}-fleet-${++breakersMade}`;
      const plan = (member, more) => ({
        breaker: name,
        options: typeof options === "function" ? options(member) : options,
        fleet: { syncIntervalMs: SYNC_INTERVAL_MS, timeoutMs: TIMEOUT_MS },
        skewMs: skews[member],
        upstream: upstream.url,
        ...more,
      });
      const post = (member, route, more = {}) => started.members[member].post(route, plan(member, more));
      return {
        name,
        /** POSTs this breaker's plan, with `more`, to `route` of member `member` (an engine's own routes too). */
        post,
        /** `count` concurrent calls (`through` "call": a function that succeeds; "fetch": the upstream); what the callers saw, counted. */
        calls: (member, more) => post(member, "/calls", more),
        status: (member) => post(member, "/status"),
        fleetStatus: async (member) => (await post(member, "/status")).fleet,
        /** Member `member`'s transport answers its syncs spoilt as `tamper` says (member.mjs), or as given when null. */
        tamper: (member, tamper) => post(member, "/tamper", { tamper }),
      };
    },
  };
}

/** Resolves with `check()`'s first truthy value, checking every `everyMs`; rejects after `timeoutMs`. */
export async function until(what, check, { timeoutMs = 10_000, everyMs = 50 } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** One successful call in each member, until each has merged a snapshot: the fleet as every member knows it. */
export async function joinFleet(breaker, members = everyMember) {
  for (const member of members) {
    await until(`member ${member + 1} to sync`, async () => {
      assert.deepEqual(await breaker.calls(member), { ok: 1 });
      return (await breaker.fleetStatus(member)).syncs >= 1;
    });
  }
}

/**
 * Calls in `members` every 20 ms (successes while admitted) until `stop()`;
 * `firstRejection[i]`: when member i first saw "open". `stop()` resolves with
 * every outcome the callers saw, sorted.
 */
export function keepCalling(breaker, members) {
  const firstRejection = [];
  const outcomes = new Set();
  let calling = true;
  const loops = members.map(async (member) => {
    while (calling) {
      const seen = await breaker.calls(member);
      for (const outcome of Object.keys(seen)) outcomes.add(outcome);
      if (seen.open && firstRejection[member] === undefined) firstRejection[member] = performance.now();
      await sleep(20);
    }
  });
  return {
    firstRejection,
    stop: async () => {
      calling = false;
      await Promise.all(loops);
      return [...outcomes].sort();
    },
  };
}

/** Asserts that callers saw nothing but `allowed` outcomes (keepCalling's `stop()`): no call threw, none was admitted where it must not be. */
export function assertOutcomes(seen, allowed) {
  assert.deepEqual(
    seen.filter((outcome) => !allowed.includes(outcome)),
    [],
    `callers saw ${seen.join(", ")}; only ${allowed.join(", ")} expected`,
  );
}

/** Fetches the (failing) upstream from `member` until its own breaker trips; when the call that tripped it came back. */
export async function tripLocally(breaker, member) {
  let lastFailure;
  for (let attempt = 0; attempt <= BREAKER_OPTIONS.failureThreshold; attempt += 1) {
    const seen = await breaker.calls(member, { through: "fetch" });
    if (seen.open) return lastFailure;
    assert.deepEqual(seen, { failed: 1 });
    lastFailure = performance.now();
  }
  throw new Error(`member ${member + 1} did not trip after ${BREAKER_OPTIONS.failureThreshold} failures`);
}

/** Resolves when every one of `members` has merged at least `more` snapshots since `before` (their fleet statuses), calling each meanwhile. */
export async function moreSyncs(breaker, before, { members = everyMember, more = 2, timeoutMs = 15_000 } = {}) {
  await until(
    `${more} more syncs in members ${members.map((member) => member + 1).join(", ")}`,
    async () => {
      const statuses = await Promise.all(members.map(async (member) => (await breaker.calls(member), breaker.fleetStatus(member))));
      return statuses.every((status, index) => status.syncs >= before[members[index]].syncs + more);
    },
    { timeoutMs, everyMs: 100 },
  );
}
