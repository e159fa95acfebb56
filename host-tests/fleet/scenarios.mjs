// The fleet's behaviour, told once for every engine: Cloudflare (a Durable
// Object), Deno KV and Redis each pass these tests with the same
// expectations, so "the same behaviour" is a test, not a claim. An engine
// (engines/README.md) starts four members and a store the scenarios can stop,
// hang, resume, restart and, where it can, tamper with.
//
// Each test has a breaker name of its own (on Cloudflare, a coordinator object
// of its own; on a store, keys of its own).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  assertOutcomes,
  BREAKER_OPTIONS,
  everyMember,
  fleetUnderTest,
  joinFleet,
  keepCalling,
  MEMBERS,
  moreSyncs,
  PROPAGATION_BOUND_MS,
  sleep,
  SYNC_INTERVAL_MS,
  TIMEOUT_MS,
  tripLocally,
  until,
} from "./drive.mjs";

/** How each kind of tampering with the stored phase record is named in lastError (see engines/README.md). */
const TAMPERED_FIELDS = {
  notJson: /^refused: .*not JSON/,
  state: /^refused: .*\bstate\b/,
  generation: /^refused: .*\bgeneration\b/,
  negative: /^refused: .*\bopenForMs\b/,
};

/**
 * Registers the scenarios every engine passes, with hooks that start the fake
 * upstream and `engine`'s fleet around the file's tests. Returns the running
 * fleet (drive.mjs's `fleetUnderTest`) for the engine's own tests in the same file.
 */
export function fleetScenarios(engine) {
  const fleet = fleetUnderTest(engine);

  describe(`a fleet of four members on ${engine.name}`, () => {
    test(
      "one member's trip opens the fleet and every member rejects within 2 × syncIntervalMs; in half_open, 4 members × 500 " +
        "concurrent calls let exactly halfOpenMaxCalls requests reach the upstream; then the fleet closes and every member lets traffic through",
      async (t) => {
        assert.deepEqual(await outageAndRecovery(fleet, fleet.breaker(), t), expectedStory);
      },
    );

    test("clocks skewed by ±30 s between the members change no outcome", async (t) => {
      const skewed = fleet.breaker({ skews: [30_000, -30_000, 30_000, -30_000] });
      assert.deepEqual(await outageAndRecovery(fleet, skewed, t), expectedStory);
    });

    test("members whose options all differ (a deployment rolling out) still open the fleet by the count rule", async () => {
      // Two failures per member: none trips locally (failureThreshold 4), the fleet's window of 8 does.
      const options = (member) => ({ ...BREAKER_OPTIONS, failureThreshold: 4, windowSize: 1_000, resetTimeoutMs: 60_000 + member * 1_000 });
      const breaker = fleet.breaker({ options });
      fleet.upstream.reset();
      await joinFleet(breaker);
      fleet.upstream.setFaults({ errorRate: 1, errorStatus: 500 });
      for (const member of everyMember) assert.deepEqual(await breaker.calls(member, { count: 2, through: "fetch" }), { failed: 2 });
      fleet.upstream.setFaults({ errorRate: 0 });
      const traffic = keepCalling(breaker, everyMember);
      await until("every member to reject", () => everyMember.every((member) => traffic.firstRejection[member] !== undefined));
      assertOutcomes(await traffic.stop(), ["ok", "open"]);
      for (const member of everyMember) {
        const status = await breaker.status(member);
        assert.equal(status.fleet.state, "open", `member ${member + 1}`);
        assert.equal(status.metrics.failedCalls, 2, `member ${member + 1} saw its own two failures only`);
      }
      assert.equal(fleet.upstream.counters.requests, 8);
    });
  });

  describe(`a store that fails does not fail the calls (${engine.name})`, () => {
    test("the store stopped: calls flow through the local breakers, status counts it, and the fleet recovers when it is back", async () => {
      await storeFailureStory(fleet, fleet.breaker(), {
        fail: () => fleet.store.stop(),
        recover: () => fleet.store.resume(),
        counted: "errors",
        lastError: /^(sync|lease|settle) failed: ./,
      });
    });

    test("the store hanging: calls flow through the local breakers, status counts the timeouts, and the fleet recovers when it answers again", async () => {
      await storeFailureStory(fleet, fleet.breaker(), {
        fail: () => fleet.store.hang(),
        recover: () => fleet.store.resume(),
        counted: "errors",
        // A member on a store keeps one sync out at a time: after a timeout, the next fails at once while it is.
        lastError: new RegExp(`^(sync|lease) failed: (no answer within ${TIMEOUT_MS} ms|the previous sync has not come back from the store)`),
      });
    });

    test("the store restarted mid-outage keeping its data: the fleet stays open, at its generation", async () => {
      await restartMidOutage(fleet, { keepData: true });
    });

    if (engine.can.loseData) {
      test("the store restarted mid-outage losing its data: calls flow, the fleet stays open and its generation does not go back", async () => {
        await restartMidOutage(fleet, { keepData: false });
      });
    }
  });

  if (engine.can.tamperStore) {
    describe(`a tampered stored phase is refused, counted, and the store healed (${engine.name})`, () => {
      for (const [kind, lastError] of Object.entries(TAMPERED_FIELDS)) {
        test(`a stored phase tampered with (${kind}) merges nothing, is counted in status.fleet.refused, and is written back as the fleet was`, async () => {
          await tamperedStoreStory(fleet, kind, lastError);
        });
      }
    });
  }

  return fleet;
}

/**
 * The whole story, as the tests tell it in parts: the upstream fails, the
 * fleet opens, half-opens under a burst of calls in every member, and closes.
 * Returns what was counted at each step (the same, whatever the clocks say).
 */
async function outageAndRecovery({ upstream }, breaker, t) {
  const told = {};
  upstream.reset();
  await joinFleet(breaker);

  // The upstream fails. Member 1 trips on its own; the others, calling all along (successes), learn it from the fleet.
  const others = everyMember.slice(1);
  const traffic = keepCalling(breaker, others);
  upstream.setFaults({ errorRate: 1, errorStatus: 500 });
  const tripped = await tripLocally(breaker, 0);
  const trippedTraffic = keepCalling(breaker, [0]);
  await until("every member to reject", () => others.every((member) => traffic.firstRejection[member] !== undefined));
  const delays = others.map((member) => Math.round(traffic.firstRejection[member] - tripped));
  t.diagnostic(`from member 1's trip to the first rejection in members 2-4: ${delays.join(", ")} ms (syncIntervalMs ${SYNC_INTERVAL_MS}; calls every 20 ms)`);
  told.propagationWithinBound = delays.map((delay) => delay <= PROPAGATION_BOUND_MS);
  told.upstreamRequestsInTheOutage = upstream.counters.requests;
  const statuses = await Promise.all(everyMember.map((member) => breaker.status(member)));
  told.fleetStates = statuses.map((status) => status.fleet.state);
  told.failuresSeenByTheOthers = statuses.slice(1).map((status) => status.metrics.failedCalls);

  // Keep the views fresh until shortly before the first member's view half-opens, then stop: no call may take a
  // probe lease early. The bursts come once the last member's view has half-opened: on Deno KV each member times the
  // open period from when it first saw it (its own clock, so no skew ends it early), so a member that learned of the
  // trip later half-opens up to a sync later.
  const openForMs = await Promise.all(everyMember.map(async (member) => (await breaker.status(member)).retryAfterMs));
  const halfOpenAt = performance.now() + Math.max(...openForMs);
  await sleep(Math.max(0, Math.min(...openForMs) - 400));
  await Promise.all([traffic.stop(), trippedTraffic.stop()]);

  // The upstream recovers, slowly: probes stay in flight while 4 members × 500 callers try, three times over.
  upstream.reset();
  upstream.setFaults({ latencyMs: 1_500 });
  await sleep(Math.max(0, halfOpenAt + 100 - performance.now()));
  const bursts = [];
  for (let burst = 0; burst < 3; burst += 1) {
    bursts.push(...everyMember.map((member) => breaker.calls(member, { through: "fetch", count: 500 })));
    await sleep(150);
  }
  // The probes reach the upstream (a lease is a round trip or more to the store first) and stay there 1.5 s.
  const probesDue = performance.now() + 5_000;
  while (upstream.counters.requests < BREAKER_OPTIONS.halfOpenMaxCalls && performance.now() < probesDue) await sleep(10);
  told.upstreamRequestsWhileHalfOpen = upstream.counters.requests;
  const seen = {};
  for (const counted of await Promise.all(bursts)) {
    for (const [outcome, count] of Object.entries(counted)) seen[outcome] = (seen[outcome] ?? 0) + count;
  }
  told.burstOutcomes = seen;
  told.upstreamRequestsAfterTheBursts = upstream.counters.requests;

  // The probes succeeded: the fleet closes, and every member lets traffic through again.
  upstream.setFaults({ latencyMs: 0 });
  await until("the probes' settles to close the fleet", async () => {
    const statuses = await Promise.all(everyMember.map((member) => breaker.fleetStatus(member)));
    return statuses.some((status) => status.state === "closed");
  });
  told.afterRecovery = [];
  for (const member of everyMember) {
    for (let call = 0; call < 5; call += 1) told.afterRecovery.push((await breaker.calls(member, { through: "fetch" })).ok === 1);
  }
  told.fleetStatesAfterRecovery = await Promise.all(everyMember.map(async (member) => (await breaker.fleetStatus(member)).state));
  return told;
}

/** What outageAndRecovery must tell, step by step. */
const expectedStory = {
  propagationWithinBound: [true, true, true],
  upstreamRequestsInTheOutage: BREAKER_OPTIONS.failureThreshold,
  fleetStates: ["open", "open", "open", "open"],
  failuresSeenByTheOthers: [0, 0, 0],
  upstreamRequestsWhileHalfOpen: BREAKER_OPTIONS.halfOpenMaxCalls,
  burstOutcomes: { ok: BREAKER_OPTIONS.halfOpenMaxCalls, half_open: 3 * MEMBERS * 500 - BREAKER_OPTIONS.halfOpenMaxCalls },
  upstreamRequestsAfterTheBursts: BREAKER_OPTIONS.halfOpenMaxCalls,
  afterRecovery: Array(MEMBERS * 5).fill(true),
  fleetStatesAfterRecovery: ["closed", "closed", "closed", "closed"],
};

/**
 * The coordinator or store fails (`fail()`) while the fleet is closed: every
 * member goes on admitting calls by its own breaker, counts the failure in
 * `status.fleet[counted]` with `lastError` matching, backs its syncs off, and
 * keeps protecting the upstream on its own. After `recover()` every member
 * syncs again and a trip opens the fleet for everyone.
 */
export async function storeFailureStory({ upstream }, breaker, { fail, recover, counted, lastError }) {
  upstream.reset();
  await joinFleet(breaker);
  await fail();
  try {
    // Calls go on in every member, admitted by their own breakers, until each has counted the failure.
    await until("every member to count the store's failure", async () => {
      const statuses = await Promise.all(
        everyMember.map(async (member) => {
          assert.deepEqual(await breaker.calls(member), { ok: 1 }, `member ${member + 1} let the call through`);
          return breaker.fleetStatus(member);
        }),
      );
      return statuses.every((status) => status[counted] >= 1);
    });
    for (const member of everyMember) {
      const status = await breaker.fleetStatus(member);
      assert.match(status.lastError, lastError);
      assert.ok(status.backoffMs >= 1_000, `member ${member + 1} backs off: ${status.backoffMs}`);
      assert.equal(status.state, "closed", "the fleet as last known");
    }

    // The local breakers still protect the upstream on their own.
    upstream.setFaults({ errorRate: 1, errorStatus: 500 });
    await tripLocally(breaker, 1);
    assert.equal(upstream.counters.requests, BREAKER_OPTIONS.failureThreshold);
    upstream.reset();
  } finally {
    await recover();
  }

  // Syncs resume in every member (after its backoff), and the fleet is a fleet again: a trip opens it for
  // everyone (member 2's own, if its report outlived the outage, or member 1's).
  await until(
    "every member to sync again",
    async () => {
      const statuses = await Promise.all(everyMember.map(async (member) => (await breaker.calls(member), breaker.fleetStatus(member))));
      return statuses.every((status) => status.backoffMs === 0);
    },
    { timeoutMs: 15_000, everyMs: 100 },
  );
  const traffic = keepCalling(breaker, [2, 3]);
  upstream.setFaults({ errorRate: 1, errorStatus: 500 });
  await tripLocally(breaker, 0);
  await until("the other members to reject", () => traffic.firstRejection[2] !== undefined && traffic.firstRejection[3] !== undefined);
  await traffic.stop();
  await until("members 1, 3 and 4 to know the fleet is open", async () => {
    const states = await Promise.all([0, 2, 3].map(async (member) => (await breaker.calls(member), (await breaker.fleetStatus(member)).state)));
    return states.every((state) => state === "open");
  });
}

/**
 * The fleet open (for a minute) in every member; the store restarted, keeping
 * its data or not. Every call meanwhile is rejected as open (none reaches the
 * upstream or throws), and after two more syncs every member knows the fleet
 * open at the same generation, never a lower one: the one it had when the
 * store kept its data (nothing was refused), and at least that one when the
 * store lost it (re-seeded by the members from what they knew).
 */
async function restartMidOutage(fleet, { keepData }) {
  const { upstream, store } = fleet;
  const breaker = fleet.breaker({ options: { ...BREAKER_OPTIONS, resetTimeoutMs: 60_000 } });
  upstream.reset();
  await joinFleet(breaker);
  const traffic = keepCalling(breaker, [1, 2, 3]);
  upstream.setFaults({ errorRate: 1, errorStatus: 500 });
  await tripLocally(breaker, 0);
  const trippedTraffic = keepCalling(breaker, [0]);
  await until("every member to reject", () => [1, 2, 3].every((member) => traffic.firstRejection[member] !== undefined));
  const before = await Promise.all(everyMember.map((member) => breaker.fleetStatus(member)));
  assert.deepEqual(before.map((status) => status.state), ["open", "open", "open", "open"]);
  const { generation } = before[0];
  assert.ok(before.every((status) => status.generation === generation), "every member knows the same generation");
  assertOutcomes(await traffic.stop(), ["ok", "open"]);

  const during = keepCalling(breaker, [1, 2, 3]);
  await store.restart({ keepData });
  await moreSyncs(breaker, before);
  assertOutcomes([...(await during.stop()), ...(await trippedTraffic.stop())], ["open"]);
  assert.equal(upstream.counters.requests, BREAKER_OPTIONS.failureThreshold, "only member 1's failures reached the upstream");
  for (const member of everyMember) {
    const status = await breaker.fleetStatus(member);
    assert.equal(status.state, "open", `member ${member + 1}`);
    assert.equal(status.backoffMs, 0, `member ${member + 1}'s last sync succeeded`);
    if (keepData) {
      assert.equal(status.generation, generation, `member ${member + 1}`);
      assert.equal(status.refused, 0, `member ${member + 1} was never answered a lower generation`);
    } else {
      assert.ok(status.generation >= generation, `member ${member + 1}: generation ${status.generation}, ${generation} before`);
    }
  }
  const generations = new Set(await Promise.all(everyMember.map(async (member) => (await breaker.fleetStatus(member)).generation)));
  assert.equal(generations.size, 1, `every member knows the same generation: ${[...generations]}`);
}

/**
 * The fleet open (for a minute) in members 1 and 2, then its stored phase
 * record tampered with (`kind`, engines/README.md). Member 1 syncs first: it
 * refuses the record (counted in `refused`, `lastError` naming what is wrong),
 * merges nothing, and writes the fleet back as it knew it. Member 2, idle
 * meanwhile, then reads the healed store: nothing to refuse. Both go on
 * syncing without refusals, the fleet open at a generation no lower.
 */
async function tamperedStoreStory(fleet, kind, lastError) {
  const { upstream, store } = fleet;
  const breaker = fleet.breaker({ options: { ...BREAKER_OPTIONS, resetTimeoutMs: 60_000 } });
  const members = [0, 1];
  upstream.reset();
  await joinFleet(breaker, members);
  upstream.setFaults({ errorRate: 1, errorStatus: 500 });
  await tripLocally(breaker, 0);
  const opened = await until("members 1 and 2 to know the fleet open", async () => {
    const statuses = await Promise.all(members.map(async (member) => (await breaker.calls(member), breaker.fleetStatus(member))));
    return statuses.every((status) => status.state === "open" && status.generation === statuses[0].generation) && statuses;
  });
  const { generation } = opened[0];

  await store.tamper(breaker.name, kind);
  const refused = await until("member 1 to refuse the stored phase", async () => {
    assert.deepEqual(await breaker.calls(0), { open: 1 });
    const status = await breaker.fleetStatus(0);
    return status.refused > opened[0].refused && status;
  });
  assert.match(refused.lastError, lastError);
  assert.deepEqual([refused.state, refused.generation], ["open", generation], "nothing merged");

  await moreSyncs(breaker, [refused, opened[1]], { members });
  for (const member of members) {
    const status = await breaker.fleetStatus(member);
    assert.equal(status.state, "open", `member ${member + 1}`);
    assert.ok(status.generation >= generation && Number.isSafeInteger(status.generation), `member ${member + 1}: generation ${status.generation}, ${generation} before`);
    assert.equal(status.backoffMs, 0, `member ${member + 1}'s last sync succeeded`);
    assert.equal(status.refused, member === 0 ? refused.refused : opened[1].refused, `member ${member + 1} refused nothing more: the store was healed`);
  }
  assert.equal((await breaker.fleetStatus(0)).generation, (await breaker.fleetStatus(1)).generation, "both members know the same generation");
  assert.equal(upstream.counters.requests, BREAKER_OPTIONS.failureThreshold, "only member 1's failures reached the upstream");
}
