// The conformance vectors (../vectors/*.json) run through the public API of the
// edgebreaker package, runtime-neutral: it uses the package it is handed and
// the language, nothing else (no fs, no node:*), so Node, Deno, workerd and a
// browser page run this same file. The caller loads the vector files its own
// way. See ../vectors/README.md for the format.
//
//   import * as edgebreaker from "edgebreaker";
//   for (const { name, run } of vectorTests(edgebreaker, vectors)) await run();
//
// Transitions are checked from the breaker's "statechange" events (their
// causes and figures included), so the events are part of what every vector proves.

const RATE_TOLERANCE = 1e-9;

/**
 * One test per vector: `run()` resolves when the package agrees with the
 * vector to the last counter and throws an Error saying where it does not.
 *
 * @param {typeof import("edgebreaker")} edgebreaker the package, as the runtime imported it
 * @param {{ file?: string, name: string, config?: object, expectConfigError?: string, steps?: object[] }[]} vectors
 * @returns {{ name: string, run: () => void }[]}
 */
export function vectorTests(edgebreaker, vectors) {
  return vectors.map((vector) => ({
    name: vector.name,
    run: () => runVector(edgebreaker, vector),
  }));
}

/** The ops of breakers that take snapshots and restore them, which edgebreaker/lite's do not. */
export const SNAPSHOT_OPS = Object.freeze(["snapshot", "restore"]);

/** Whether `vector` takes or restores a snapshot: edgebreaker/lite cannot run it. */
export function usesSnapshots(vector) {
  return (vector.steps ?? []).some(({ op }) => SNAPSHOT_OPS.includes(op));
}

/** Runs one vector; throws an Error naming the step that disagrees. */
function runVector(edgebreaker, vector) {
  if (vector.expectConfigError !== undefined) return expectConfigError(edgebreaker, vector);
  const { CircuitBreaker, CircuitBreakerError } = edgebreaker;
  let now = 0;
  const options = { ...vector.config, clock: () => now };
  let breaker = new CircuitBreaker(options);
  const permits = new Map();
  let transitions = [];
  // Everything a change announces but the breaker's name: the cause and its figures included.
  const collect = (event) => {
    const { name: _name, ...change } = event.detail;
    transitions.push(change);
  };
  breaker.addEventListener("statechange", collect);
  vector.steps.forEach((step, index) => {
    if (step.at !== undefined) now = step.at;
    const where = `step ${index} (${step.op}${step.at === undefined ? "" : ` at ${step.at}`})`;
    switch (step.op) {
      case "acquire": {
        let got;
        try {
          permits.set(step.permit, breaker.acquire());
          got = "admitted";
        } catch (error) {
          if (!(error instanceof CircuitBreakerError)) throw error;
          got = { rejected: { state: error.state, retryAfterMs: error.retryAfterMs } };
        }
        expectEqual(got, step.expect, where);
        break;
      }
      case "settle": {
        const permit = permits.get(step.permit);
        if (permit === undefined) throw new Error(`${where}: no permit labelled ${step.permit}`);
        if (step.retryAfterMs !== undefined) permit.failure(undefined, { retryAfterMs: step.retryAfterMs });
        else if (step.outcome === "success") permit.success();
        else if (step.outcome === "failure") permit.failure();
        else if (step.outcome === "ignored") permit.ignore();
        else throw new Error(`${where}: unknown outcome ${step.outcome}`);
        break;
      }
      case "status":
        expectSubset(breaker.getStatus(), step.expect, `${where}: status`);
        break;
      case "reset":
        breaker.reset();
        break;
      case "forceOpen":
        if (step.durationMs === null || step.durationMs === undefined) breaker.forceOpen();
        else breaker.forceOpen(step.durationMs);
        break;
      case "transitions":
        expectEqual(transitions, step.expect, `${where}: "statechange" events`);
        transitions = [];
        break;
      case "snapshot":
        expectEqual(breaker.snapshot(), step.expect, `${where}: snapshot`);
        break;
      case "restore":
        if (step.expectError !== undefined) {
          expectSnapshotRefused(() => CircuitBreaker.restore(step.snapshot, options), step.expectError, where);
          break;
        }
        // A new breaker: the old one's permits are forgotten, its events no longer heard.
        breaker = CircuitBreaker.restore(step.snapshot, options);
        breaker.addEventListener("statechange", collect);
        permits.clear();
        break;
      default:
        throw new Error(`${where}: unknown op`);
    }
  });
}

function expectConfigError(edgebreaker, vector) {
  const option = vector.expectConfigError;
  try {
    new edgebreaker.CircuitBreaker(vector.config);
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) {
      throw new Error(`config refused with ${error?.name}, expected a TypeError or RangeError naming ${option}`);
    }
    if (!String(error.message).includes(option)) {
      throw new Error(`config error "${error.message}" does not name ${option}`);
    }
    return;
  }
  throw new Error(`config ${JSON.stringify(vector.config)} accepted, expected an error naming ${option}`);
}

/** `restore` throws a TypeError or RangeError whose message is about `field` of the snapshot. */
function expectSnapshotRefused(restore, field, where) {
  const named = field === "snapshot" ? "snapshot " : `snapshot.${field} `;
  try {
    restore();
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) {
      throw new Error(`${where}: refused with ${error?.name}, expected a TypeError or RangeError naming ${field}`);
    }
    if (!String(error.message).startsWith(named)) throw new Error(`${where}: "${error.message}" does not name ${field}`);
    return;
  }
  throw new Error(`${where}: snapshot restored, expected a refusal naming ${field}`);
}

/** Exact equality of JSON data. */
export function expectEqual(actual, expected, where) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Every key in `expected` must match `actual`; numbers within RATE_TOLERANCE (only the rates are fractional). */
export function expectSubset(actual, expected, where) {
  if (typeof expected === "object" && expected !== null) {
    if (typeof actual !== "object" || actual === null) {
      throw new Error(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
    for (const key of Object.keys(expected)) expectSubset(actual[key], expected[key], `${where}.${key}`);
    return;
  }
  if (typeof expected === "number" && typeof actual === "number" && Math.abs(actual - expected) < RATE_TOLERANCE) return;
  if (actual !== expected) throw new Error(`${where}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
