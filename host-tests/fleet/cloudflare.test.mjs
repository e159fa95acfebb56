// The fleet on Cloudflare: the scenarios every engine passes (scenarios.mjs),
// on four workerd isolates and a FleetCoordinator Durable Object per breaker
// (engines/cloudflare.mjs), then what only this engine has: a coordinator
// that answers garbage, the isolates' answers tampered with on their way, the
// object's own cap on a report, durableObjectFleet's memoisation and
// validation, a rolling deployment against one object, the published types and
// the imports of each entry.

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { consumerFolder, hostTestsDir } from "../harness/packed.mjs";
import { runCommand } from "../harness/processes.mjs";
import { BREAKER_OPTIONS, joinFleet, sleep, SYNC_INTERVAL_MS, tripLocally, until } from "./drive.mjs";
import cloudflare, { workersFolder } from "./engines/cloudflare.mjs";
import { fleetScenarios, storeFailureStory } from "./scenarios.mjs";

const fleet = fleetScenarios(cloudflare);

/** Tells the breaker's coordinator object `command` (with `mode`), through isolate 1. */
const tellCoordinator = (breaker, command, mode) => breaker.post(0, "/coordinator", { command, mode });

test("a coordinator that answers garbage: calls flow through the local breakers, status counts it refused, and the fleet recovers with the coordinator", async () => {
  const breaker = fleet.breaker();
  await storeFailureStory(fleet, breaker, {
    fail: () => tellCoordinator(breaker, "setMode", "garbage"),
    recover: () => tellCoordinator(breaker, "setMode", "normal"),
    counted: "refused",
    lastError: /^refused: /,
  });
});

test("isolates whose options differ (a deployment rolling out): the coordinator rebuilds its core from its own state, and the fleet stays open", async () => {
  const breaker = fleet.breaker({ options: (isolate) => ({ ...BREAKER_OPTIONS, resetTimeoutMs: 60_000, failureThreshold: isolate === 0 ? 3 : 4, windowSize: 8 }) });
  fleet.upstream.reset();
  await joinFleet(breaker);
  fleet.upstream.setFaults({ errorRate: 1, errorStatus: 500 });
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
  assert.equal(fleet.upstream.counters.requests, 3, "only isolate 1's failures reached the upstream");
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
      const breaker = fleet.breaker({ options: { ...BREAKER_OPTIONS, resetTimeoutMs: 60_000 } });
      fleet.upstream.reset();
      await joinFleet(breaker, [0]);
      if (tamper === "lowerGeneration") {
        fleet.upstream.setFaults({ errorRate: 1, errorStatus: 500 });
        await tripLocally(breaker, 0);
        await until("the fleet to open", async () => (await breaker.fleetStatus(0)).generation >= 1);
        fleet.upstream.reset();
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
    const breaker = fleet.breaker();
    await joinFleet(breaker, [0]);
    assert.match((await breaker.post(0, "/oversize")).error, /reportJson must be at most 65536 characters; got 10485760/);
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
      await fleet.members[0].post("/transports", {}),
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
  const folder = workersFolder();
  writeFileSync(join(folder, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["typed-worker.ts"] }));
  const { code, stdout } = await runCommand(join(hostTestsDir, "node_modules", ".bin", "tsc"), ["-p", join(folder, "tsconfig.json")], { cwd: folder });
  assert.equal(code, 0, stdout);
});

test("only edgebreaker/cloudflare imports cloudflare:workers: the main entries know a fleet by its interface alone", () => {
  const dist = join(consumerFolder(), "node_modules", "edgebreaker", "dist");
  for (const entry of ["index.js", "browser.js", "workerd.js"]) assert.doesNotMatch(readFileSync(join(dist, entry), "utf8"), /cloudflare:/, entry);
  assert.match(readFileSync(join(dist, "cloudflare.js"), "utf8"), /(?:^|;)\s*import\s*\{\s*DurableObject\s*\}\s*from\s*"cloudflare:workers";/);
});
