// The `fleet` option in Node, against a real coordinator in the same process:
// the core's WasmFleetCoordinator (the installed tarball's wasm, through the
// glue stage.mjs puts beside this file: a second instance, as a coordinator's
// machine would run it) behind a transport that calls it directly. workerd and the Durable Object are
// host-tests/fleet's; this is the isolate side's logic, on a fake clock.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CircuitBreaker, CircuitBreakerError, getCircuitBreaker, protectFetch, removeCircuitBreaker } from "edgebreaker";
import { initSync, WasmFleetCoordinator } from "./glue/edgebreaker_fleet.js";
import { wasmModule } from "../node_modules/edgebreaker/dist/wasm/fleet-module-inline.js";
import { optionNumbers } from "../shared/fleet-vectors.js";
import { settle } from "./helpers.mjs";

initSync({ module: wasmModule() });

const OPTIONS = { failureThreshold: 2, windowSize: 4, resetTimeoutMs: 1_000, successThreshold: 1, halfOpenMaxCalls: 1 };

/**
 * A transport to one coordinator per breaker name, in this process, on
 * `clock`. `fault(exchange)` may answer instead of the coordinator: a
 * string, or { throw }, or { hang: true }, or { lateMs }: the coordinator's
 * answer, given that many ms (real time) later, at the fake clock's time
 * then. `exchanges` lists what was sent.
 */
function inProcessFleet(clock, { syncIntervalMs = 100, timeoutMs = 20, fault = () => undefined } = {}) {
  const coordinators = new Map();
  const coordinator = (name, optionsJson) => {
    if (!coordinators.has(name)) coordinators.set(name, new WasmFleetCoordinator(optionNumbers(JSON.parse(optionsJson))));
    return coordinators.get(name);
  };
  const exchanges = [];
  const answer = (exchange, real) => {
    exchanges.push(exchange);
    const faulty = fault(exchange);
    if (faulty === undefined) return Promise.resolve(real());
    if (faulty.hang) return new Promise(() => {});
    if (faulty.lateMs) return new Promise((resolve) => setTimeout(() => resolve(real()), faulty.lateMs));
    if (faulty.throw) return Promise.reject(faulty.throw);
    return Promise.resolve(faulty);
  };
  return {
    exchanges,
    coordinator,
    transport: {
      syncIntervalMs,
      timeoutMs,
      sync: (name, optionsJson, reportJson) => answer("sync", () => coordinator(name, optionsJson).sync(reportJson, clock.now)),
      lease: (name, optionsJson) => answer("lease", () => coordinator(name, optionsJson).lease(clock.now)),
      settle: (name, optionsJson, leaseJson, outcome) => answer("settle", () => coordinator(name, optionsJson).settle(leaseJson, outcome, clock.now)),
    },
  };
}

/** `count` breakers (isolates) named `name` in one fleet, on one fake clock. */
function isolates(count, { name = "llm", options = OPTIONS, ...fleetOptions } = {}) {
  const clock = { now: 1_000_000 };
  const fleet = inProcessFleet(clock, fleetOptions);
  const breakers = Array.from({ length: count }, () => new CircuitBreaker({ ...options, name, clock: () => clock.now, fleet: fleet.transport }));
  return { clock, fleet, breakers };
}

const succeed = (breaker) => breaker.call(() => "ok");
const failing = (breaker) => breaker.call(() => Promise.reject(new Error("upstream down"))).catch((error) => error);

/** A call's rejection (a CircuitBreakerError) or "ok". */
const outcome = (promise) => promise.then(() => "ok", (error) => (error instanceof CircuitBreakerError ? error.state : error));

/** Trips `breaker`'s local circuit: failureThreshold failures, each settled (their reports may go at once). */
async function trip(breaker) {
  for (let failure = 0; failure < OPTIONS.failureThreshold; failure += 1) await failing(breaker);
  await settle();
}

/** One isolate (see `isolates`) whose fleet it has tripped, resetTimeoutMs ago: the fleet is half-open. */
async function halfOpenFleet(fleetOptions) {
  const one = isolates(1, fleetOptions);
  await succeed(one.breakers[0]);
  await settle();
  await trip(one.breakers[0]);
  one.clock.now += (fleetOptions.options ?? OPTIONS).resetTimeoutMs;
  return { ...one, breaker: one.breakers[0] };
}

describe("the fleet option", () => {
  test("is validated like the other options, naming what is wrong, and getStatus().fleet is null without it", () => {
    const { transport } = inProcessFleet({ now: 0 });
    assert.throws(() => new CircuitBreaker({ fleet: 5 }), { name: "TypeError", message: /^fleet must be a fleet transport .*; got 5$/ });
    assert.throws(() => new CircuitBreaker({ fleet: { ...transport, sync: undefined } }), { name: "TypeError", message: /^fleet\.sync must be a function; got undefined$/ });
    assert.throws(() => new CircuitBreaker({ fleet: { ...transport, syncIntervalMs: 0 } }), { name: "RangeError", message: /^fleet\.syncIntervalMs must be a whole number of milliseconds from 1 to 2147483647; got 0$/ });
    assert.throws(() => new CircuitBreaker({ fleet: { ...transport, timeoutMs: undefined } }), { name: "TypeError", message: /^fleet\.timeoutMs must be/ });
    assert.throws(() => new CircuitBreaker({ fleet: { ...transport, waitUntil: "later" } }), { name: "TypeError", message: /^fleet\.waitUntil must be a function/ });
    assert.throws(() => new CircuitBreaker({ fleets: transport }), { name: "TypeError", message: /did you mean "fleet"\?/ });
    assert.equal(new CircuitBreaker().getStatus().fleet, null);
    assert.equal(new CircuitBreaker({ fleet: null }).getStatus().fleet, null);
  });

  test("getStatus().fleet before any call: nothing known, nothing sent (an idle isolate makes no syncs)", async () => {
    const { breakers, fleet, clock } = isolates(1);
    clock.now += 10_000;
    await settle();
    assert.deepEqual(breakers[0].getStatus().fleet, {
      state: null,
      generation: null,
      lastSyncAgoMs: null,
      syncs: 0,
      errors: 0,
      refused: 0,
      lastError: null,
      backoffMs: 0,
    });
    assert.deepEqual(fleet.exchanges, []);
  });

  test("a call starts a sync in the background and does not wait for it; at most one is in flight, and the next waits syncIntervalMs", async () => {
    const { breakers, fleet } = isolates(1, { fault: () => ({ hang: true }), timeoutMs: 200 });
    const [breaker] = breakers;
    assert.equal(await succeed(breaker), "ok", "the call resolved while its sync hangs");
    assert.equal(await succeed(breaker), "ok");
    assert.deepEqual(fleet.exchanges, ["sync"], "one sync in flight at a time");

    const paced = isolates(1);
    await succeed(paced.breakers[0]);
    await settle();
    assert.deepEqual(paced.breakers[0].getStatus().fleet.syncs, 1);
    paced.clock.now += 99;
    await succeed(paced.breakers[0]);
    await settle();
    assert.deepEqual(paced.fleet.exchanges, ["sync"], "not before syncIntervalMs");
    paced.clock.now += 1;
    await succeed(paced.breakers[0]);
    await settle();
    assert.deepEqual(paced.fleet.exchanges, ["sync", "sync"]);
    const status = paced.breakers[0].getStatus().fleet;
    assert.deepEqual({ state: status.state, generation: status.generation, syncs: status.syncs, lastSyncAgoMs: status.lastSyncAgoMs }, { state: "closed", generation: 0, syncs: 2, lastSyncAgoMs: 0 });
  });

  test("a local trip is reported at once, and every other isolate rejects after its next sync", async () => {
    const { breakers, fleet, clock } = isolates(3);
    const heard = [];
    breakers[1].addEventListener("statechange", ({ detail: { to, cause, openForMs } }) => heard.push({ to, cause, openForMs }));
    for (const breaker of breakers) await succeed(breaker);
    await settle();
    const syncsBefore = fleet.exchanges.length;
    await trip(breakers[0]);
    assert.equal(fleet.exchanges.length, syncsBefore + 1, "the trip went out before syncIntervalMs had passed");
    assert.equal(breakers[0].getStatus().fleet.state, "open");

    // Before their next sync the others still admit (no round trip on the call path); after it, they reject.
    assert.equal(await outcome(succeed(breakers[1])), "ok");
    clock.now += 100;
    assert.equal(await outcome(succeed(breakers[1])), "ok", "this call only started the sync");
    await settle();
    const rejection = await succeed(breakers[1]).catch((error) => error);
    assert.ok(rejection instanceof CircuitBreakerError);
    assert.equal(rejection.state, "open");
    assert.equal(rejection.retryAfterMs, 900);
    assert.equal(breakers[1].getStatus().fleet.state, "open");
    assert.equal(breakers[1].getStatus().metrics.failedCalls, 0, "it never saw a failure itself");
    assert.deepEqual(heard, [{ to: "open", cause: "fleet", openForMs: 900 }], "its breaker opened because its fleet did");
  });

  test("half-open is fleet-wide: one lease round trip per isolate at a time, halfOpenMaxCalls leases in all, and a probe success closes the fleet everywhere", async () => {
    const { breakers, fleet, clock } = isolates(2);
    for (const breaker of breakers) await succeed(breaker);
    await settle();
    await trip(breakers[0]);
    clock.now += 100;
    await outcome(succeed(breakers[1]));
    await settle();
    clock.now += OPTIONS.resetTimeoutMs;

    let releaseProbe;
    const probe = () => new Promise((resolve) => (releaseProbe = resolve));
    const first = breakers.map((breaker) => outcome(breaker.call(probe)));
    const others = breakers.flatMap((breaker) => Array.from({ length: 50 }, () => outcome(succeed(breaker))));
    assert.deepEqual(new Set(await Promise.all(others)), new Set(["half_open"]), "the others were refused at once, as by a full half-open");
    for (const breaker of breakers) {
      const metrics = breaker.getStatus().metrics;
      assert.ok(metrics.blockedCalls >= 50, `blockedCalls ${metrics.blockedCalls}: a call the fleet refused counts as blocked`);
      const { totalCalls, successfulCalls, failedCalls, blockedCalls, ignoredCalls, inFlight } = metrics;
      assert.equal(totalCalls, successfulCalls + failedCalls + blockedCalls + ignoredCalls + inFlight, "every call accounted for");
    }
    await settle();
    assert.equal(fleet.exchanges.filter((exchange) => exchange === "lease").length, 2, "one lease request per isolate");
    const refused = await Promise.race([first[0], first[1]]);
    assert.equal(refused, "half_open", "one isolate was granted the fleet's only lease, the other refused");
    // Sync admissions cannot wait for a lease: refused as by a full half-open (the lease they send for is refused too).
    assert.throws(() => breakers[0].acquire(), { name: "CircuitBreakerError", state: "half_open", retryAfterMs: 0 });
    assert.throws(() => breakers[1].callSync(() => 1), { name: "CircuitBreakerError", state: "half_open" });

    releaseProbe("ok");
    assert.deepEqual((await Promise.all(first)).sort(), ["half_open", "ok"]);
    await settle();
    assert.equal(fleet.exchanges.at(-1), "settle");
    // The fleet closed: the isolate that probed knows from the settle's answer, the other from its next exchange.
    for (const breaker of breakers) assert.equal(await outcome(succeed(breaker)), "ok");
    await settle();
    for (const breaker of breakers) assert.equal(breaker.getStatus().fleet.state, "closed");
  });

  test("acquire() in a half-open fleet is refused while it sends for a lease, which the next acquire() takes; one nobody takes is given back", async () => {
    const { breakers, fleet, clock } = isolates(2);
    for (const breaker of breakers) await succeed(breaker);
    await settle();
    await trip(breakers[0]);
    clock.now += 100;
    await outcome(succeed(breakers[1])); // breakers[1] learns that the fleet is open
    await settle();
    clock.now += OPTIONS.resetTimeoutMs;

    assert.throws(() => breakers[0].acquire(), { name: "CircuitBreakerError", state: "half_open", retryAfterMs: 0 });
    await settle();
    assert.equal(fleet.exchanges.at(-1), "lease");
    assert.equal(await outcome(succeed(breakers[1])), "half_open", "the fleet's only lease went to breakers[0]");
    // No call of breakers[0] took it within syncIntervalMs: given back, so the slot is free again.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await settle();
    assert.equal(fleet.exchanges.at(-1), "settle");

    assert.throws(() => breakers[1].acquire(), { name: "CircuitBreakerError", state: "half_open" });
    await settle();
    const permit = breakers[1].acquire();
    assert.ok(permit.settled === false);
    permit.success();
    await settle();
    assert.equal(fleet.exchanges.at(-1), "settle");
    assert.equal(breakers[1].getStatus().fleet.state, "closed", "the probe on the lease sent for closed the fleet");
  });

  test("a probe that fails with the upstream's Retry-After opens the fleet for that long, not the backoff's time", async () => {
    const answers = [];
    const fetch = async () => answers.shift() ?? new Response("ok");
    const { breakers, clock } = isolates(2, { options: { ...OPTIONS, fetch } });
    const [prober, other] = breakers;
    for (const breaker of breakers) await succeed(breaker);
    await settle();
    await trip(prober);
    clock.now += OPTIONS.resetTimeoutMs;
    answers.push(new Response("busy", { status: 503, headers: { "retry-after": "300" } }));
    const probe = await prober.fetch("http://upstream.test/");
    assert.equal(probe.status, 503);
    await settle();
    assert.equal(prober.getStatus().fleet.state, "open");
    // The other isolate learns the fleet's deadline at its next sync: the upstream's 300 s, not a backoff of seconds.
    clock.now += 200;
    await outcome(succeed(other));
    await settle();
    const status = other.getStatus();
    assert.equal(status.fleet.state, "open");
    assert.equal(status.retryAfterMs, 299_800);
    assert.equal(status.fleet.errors + status.fleet.refused, 0);
  });

  test("a lease granted after its request timed out is given back at once, so a slow coordinator does not count it as a failed probe", async () => {
    const { breaker, fleet, clock } = await halfOpenFleet({ options: { ...OPTIONS, probeTimeoutMs: 5_000 }, fault: (exchange) => (exchange === "lease" ? { lateMs: 40 } : undefined) });
    // The lease request times out (20 ms): the call goes on, on the local breaker alone.
    assert.equal(await outcome(breaker.call(() => "probe")), "ok");
    assert.match(breaker.getStatus().fleet.lastError, /^lease failed: no answer within 20 ms$/);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await settle();
    assert.deepEqual(fleet.exchanges.slice(-2), ["lease", "settle"], "the late lease was given back");
    const coordinator = fleet.coordinator("llm");
    clock.now += 5_000;
    assert.equal(JSON.parse(coordinator.snapshot(clock.now)).state, "half_open", "no lease expired as a failed probe");
    assert.notEqual(JSON.parse(coordinator.lease(clock.now)).lease, null, "its probe slot is free");
  });

  test("a fetch whose caller gives up while it waits for its lease rejects as fetch would, sends nothing, and gives the lease back", async () => {
    let sent = 0;
    const fetch = async () => (sent += 1, new Response("ok"));
    const { breaker, fleet, clock } = await halfOpenFleet({ options: { ...OPTIONS, fetch }, fault: (exchange) => (exchange === "lease" ? { lateMs: 10 } : undefined) });
    const caller = new AbortController();
    const call = breaker.fetch("http://upstream.test/", { signal: caller.signal });
    caller.abort(new DOMException("the client left", "AbortError"));
    await assert.rejects(call, { name: "AbortError", message: "the client left" });
    assert.equal(sent, 0, "nothing reached the upstream");
    await settle();
    assert.deepEqual(fleet.exchanges.slice(-2), ["lease", "settle"], "the lease went back");
    const { metrics } = breaker.getStatus();
    assert.equal(metrics.inFlight, 0);
    assert.equal(metrics.ignoredCalls, 1);
    assert.equal(JSON.parse(fleet.coordinator("llm").lease(clock.now)).lease === null, false, "its probe slot is free");
  });

  test("a settle that fails is sent once more, so the probe's success reaches the coordinator", async () => {
    let settles = 0;
    const { breaker, fleet, clock } = await halfOpenFleet({ fault: (exchange) => (exchange === "settle" && (settles += 1) === 1 ? { hang: true } : undefined) });
    assert.equal(await outcome(breaker.call(() => "probe")), "ok");
    await new Promise((resolve) => setTimeout(resolve, 100));
    await settle();
    assert.deepEqual(fleet.exchanges.slice(-3), ["lease", "settle", "settle"]);
    assert.equal(JSON.parse(fleet.coordinator("llm").snapshot(clock.now)).state, "closed", "the probe's success closed the fleet");
    assert.equal(breaker.getStatus().fleet.state, "closed");
    assert.equal(breaker.getStatus().fleet.errors, 0, "a settle that went through the second time is no error");
  });

  test("a slow probe success settles its lease as a failure, as the local breaker judged it", async () => {
    const { breaker, fleet, clock } = await halfOpenFleet({ options: { ...OPTIONS, slowCallMs: 50 } });
    const slow = breaker.call(async () => {
      await settle();
      clock.now += 60;
      return "slow";
    });
    assert.equal(await slow, "slow");
    await settle();
    assert.equal(fleet.exchanges.at(-1), "settle");
    const status = breaker.getStatus();
    assert.equal(status.metrics.slowCalls, 1);
    assert.equal(status.fleet.state, "open", "the fleet re-opened on the failed probe");
  });

  for (const [fault, counted, lastError] of [
    [{ throw: new Error("coordinator down") }, "errors", /^sync failed: coordinator down$/],
    [{ hang: true }, "errors", /^sync failed: no answer within 20 ms$/],
    ["<html>502</html>", "refused", /^refused: /],
    [{ not: "a string" }, "refused", /^refused: the answer must be a string; got /],
    ["x".repeat(65_537), "refused", /^refused: the answer must be at most 65536 characters; got 65537$/],
  ]) {
    const what = fault.throw ? "throws" : fault.hang ? "hangs" : typeof fault === "string" && fault.length > 100 ? "answers 65537 characters" : `answers ${JSON.stringify(fault).slice(0, 20)}`;
    test(`a coordinator that ${what}: calls flow through the local breaker, status counts it, syncs back off 1 s doubling to 30 s, and recover`, async () => {
      let failing = true;
      const { breakers, fleet, clock } = isolates(1, { fault: (exchange) => (failing && exchange === "sync" ? fault : undefined) });
      const [breaker] = breakers;
      const backoffs = [];
      for (let attempt = 0; attempt < 7; attempt += 1) {
        assert.equal(await outcome(succeed(breaker)), "ok");
        await new Promise((resolve) => setTimeout(resolve, fault.hang ? 30 : 0));
        await settle();
        const status = breaker.getStatus().fleet;
        assert.equal(status[counted], attempt + 1);
        assert.match(status.lastError, lastError);
        backoffs.push(status.backoffMs);
        clock.now += status.backoffMs - 1;
        await succeed(breaker);
        assert.equal(fleet.exchanges.length, attempt + 1, "no sync before the backoff has passed");
        clock.now += 1;
      }
      assert.deepEqual(backoffs, [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);

      // The local breaker alone still protects: it trips on its own failures (its first call's sync fails too).
      await trip(breaker);
      assert.equal(await outcome(succeed(breaker)), "open");
      await new Promise((resolve) => setTimeout(resolve, fault.hang ? 30 : 0));

      failing = false;
      clock.now += 30_000;
      await outcome(succeed(breaker));
      await settle();
      const status = breaker.getStatus().fleet;
      assert.equal(status.backoffMs, 0);
      assert.equal(status.state, "open", "the trip reached the fleet with the first sync that went through");
    });
  }

  test("a snapshot of a lower generation than the last merged is refused, changes nothing, and is counted", async () => {
    const { breakers, fleet, clock } = isolates(1, { options: { ...OPTIONS, resetTimeoutMs: 60_000 } });
    const [breaker] = breakers;
    await succeed(breaker);
    await settle();
    await trip(breaker);
    const { generation } = breaker.getStatus().fleet;
    assert.ok(generation >= 1);
    fleet.transport.sync = async () => JSON.stringify({ version: 1, state: "closed", generation: generation - 1, openForMs: 0, syncAfterMs: 0 });
    clock.now += 100;
    await outcome(succeed(breaker));
    await settle();
    const status = breaker.getStatus();
    assert.equal(status.fleet.refused, 1);
    assert.match(status.fleet.lastError, new RegExp(`^refused: generation must be at least ${generation}`));
    assert.equal(status.fleet.generation, generation);
    assert.equal(status.state, "open", "the local breaker was not reset");
  });

  test("waitUntil, when the transport has one, is given every background exchange; one that throws changes nothing", async () => {
    const clock = { now: 0 };
    const { transport } = inProcessFleet(clock);
    const kept = [];
    const breaker = new CircuitBreaker({ ...OPTIONS, name: "kept", clock: () => clock.now, fleet: { ...transport, waitUntil: (work) => kept.push(work) } });
    await succeed(breaker);
    assert.equal(kept.length, 1);
    assert.equal(await kept[0], undefined, "background work never rejects");
    const throwing = new CircuitBreaker({ ...OPTIONS, name: "kept", clock: () => clock.now, fleet: { ...transport, waitUntil: () => { throw new Error("no request"); } } });
    assert.equal(await succeed(throwing), "ok");
    await settle();
    assert.equal(throwing.getStatus().fleet.syncs, 1);
  });

  test("getCircuitBreaker and protectFetch take the option; a breaker's core options go to the coordinator as JSON", async () => {
    const clock = { now: 0 };
    const fleet = inProcessFleet(clock);
    const sent = [];
    const transport = { ...fleet.transport, sync: (name, optionsJson, reportJson) => (sent.push({ name, optionsJson, reportJson }), fleet.transport.sync(name, optionsJson, reportJson)) };
    const breaker = getCircuitBreaker("fleet-registry", { failureThreshold: 3, clock: () => clock.now, fleet: transport });
    await succeed(breaker);
    assert.deepEqual(sent, [{ name: "fleet-registry", optionsJson: '{"failureThreshold":3}', reportJson: '{"version":1,"successes":0,"failures":0,"tripped":false}' }]);
    removeCircuitBreaker("fleet-registry");

    const fetched = protectFetch({ name: "fleet-fetch", clock: () => clock.now, fleet: transport, fetch: async () => new Response("hi") });
    assert.equal(await (await fetched("https://upstream.test/")).text(), "hi");
    await settle();
    assert.equal(sent.at(-1).name, "fleet-fetch");
    assert.equal(getCircuitBreaker("fleet-fetch").getStatus().fleet.syncs, 1);
    removeCircuitBreaker("fleet-fetch");
  });
});
