// edgebreaker/lite as a runtime imports it, held to "edgebreaker"'s behaviour:
// every conformance vector it can run (all but those that take or restore a
// snapshot, which lite's breakers cannot) and the smoke tests. Runtime-neutral,
// like the rest of shared/.

import { check, checkEqual } from "./check.js";
import { smokeTests } from "./smoke.js";
import { SNAPSHOT_OPS, usesSnapshots, vectorTests } from "./vectors.js";

/** How edgebreaker/lite refuses a feature it leaves out, after naming it. */
const NOT_IN_LITE = 'is not in "edgebreaker/lite": import CircuitBreaker from "edgebreaker" for it';
/** The call each snapshot op makes, as lite's refusal names it. */
const CALL_OF_OP = { snapshot: "breaker.snapshot()", restore: "CircuitBreaker.restore()" };

/**
 * The lite entry's test groups, by name.
 *
 * @param {typeof import("edgebreaker/lite")} lite edgebreaker/lite, as the runtime imported it
 * @param {typeof import("edgebreaker")} edgebreaker the main entry, as the runtime imported it
 * @param {object[]} vectors every vector file, as { file, ...vector }
 * @returns {Record<string, { name: string, run: () => unknown }[]>}
 */
export function liteTests(lite, edgebreaker, vectors) {
  const runnable = vectors.filter((vector) => !usesSnapshots(vector));
  const leftOut = vectors.filter(usesSnapshots);
  return {
    "lite vectors": vectorTests(lite, runnable),
    "lite smoke": smokeTests(lite),
    lite: [
      {
        name:
          `edgebreaker/lite runs ${runnable.length} of the ${vectors.length} vectors; the ${leftOut.length} left out, ` +
          "those with a snapshot or restore step, agree up to the first such step and stop there with lite's TypeError",
        async run() {
          check(runnable.length > 0, "some vectors run on lite");
          check(leftOut.length > 0, "some vectors take or restore a snapshot");
          for (const vector of leftOut) await expectStoppedByLite(lite, vector);
        },
      },
      {
        name: "edgebreaker/lite is an entry of its own, without protectFetch, snapshots or the fleet option",
        run() {
          check(lite.CircuitBreaker !== edgebreaker.CircuitBreaker, "lite's CircuitBreaker is not the main entry's");
          checkEqual(typeof edgebreaker.protectFetch, "function", "the main entry's protectFetch");
          checkEqual("protectFetch" in lite, false, "protectFetch in edgebreaker/lite");
          const breaker = new lite.CircuitBreaker();
          expectRefusedByLite(() => breaker.snapshot(), "breaker.snapshot()");
          const transport = { syncIntervalMs: 1_000, timeoutMs: 100, sync: unreachable, lease: unreachable, settle: unreachable };
          expectRefusedByLite(
            () => new lite.CircuitBreaker({ fleet: transport }),
            "the fleet option",
            'unknown option "fleet": "edgebreaker/lite" has no fleets; import CircuitBreaker from "edgebreaker" for them',
          );
        },
      },
    ],
  };
}

/** Runs a vector that takes or restores a snapshot on lite: it must fail at its first such step, with lite's refusal. */
async function expectStoppedByLite(lite, vector) {
  const firstOp = vector.steps.find(({ op }) => SNAPSHOT_OPS.includes(op)).op;
  const [{ run }] = vectorTests(lite, [vector]);
  let failure;
  try {
    await run();
  } catch (error) {
    failure = error;
  }
  check(failure !== undefined, `"${vector.name}" ran whole on edgebreaker/lite`);
  // A step before it that disagreed would have failed with its own message; a
  // refused restore's check quotes lite's message in its own.
  const expected = `${CALL_OF_OP[firstOp]} ${NOT_IN_LITE}`;
  check(String(failure.message).includes(expected), `"${vector.name}" failed with "${failure.message}", not with "${expected}"`);
}

async function unreachable() {
  throw new Error("a lite breaker reached its fleet");
}

function expectRefusedByLite(act, feature, message = `${feature} ${NOT_IN_LITE}`) {
  try {
    act();
  } catch (error) {
    check(error instanceof TypeError, `${feature}: a TypeError, not ${error?.name}`);
    checkEqual(error.message, message, `${feature}: the message`);
    return;
  }
  throw new Error(`${feature}: allowed on edgebreaker/lite`);
}
