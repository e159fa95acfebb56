// The fleet vectors (../fleet-vectors/*.json) through the wasm binding's fleet
// classes, runtime-neutral like vectors.js: it uses the binding it is handed
// (`WasmBreaker` and `WasmFleetCoordinator`, initialised) and the language,
// nothing else, and passes everything between coordinator and members as JSON
// text, as between machines. See ../fleet-vectors/README.md for the format.
//
//   for (const { name, run } of fleetVectorTests(binding, vectors)) run();

import { expectEqual, expectSubset } from "./vectors.js";

const STATES = ["closed", "open", "half_open"];
const OUTCOMES = { success: 0, failure: 1, ignored: 2 };
const ADMISSIONS = ["local", "blocked", "lease"];
/** The binding's options in the order its constructors read them (`CoreOptionNames`). */
export const OPTION_NAMES = ["failureThreshold", "windowSize", "resetTimeoutMs", "successThreshold", "halfOpenMaxCalls", "failureRateThreshold", "minimumCalls", "windowMs", "slowCallMs", "maxResetTimeoutMs", "probeTimeoutMs"];

/** Options by name (a vector's config, a member's optionsJson) as the constructors read them: a number each, then a bit each for those given. */
export function optionNumbers(options) {
  const given = OPTION_NAMES.map((name) => options[name] !== undefined && options[name] !== null);
  const mask = given.reduce((bits, isGiven, index) => (isGiven ? bits | (1 << index) : bits), 0);
  return Float64Array.from([...OPTION_NAMES.map((name, index) => (given[index] ? options[name] : 0)), mask]);
}

/**
 * One test per vector: `run()` returns when the binding agrees with the
 * vector and throws an Error naming the step that does not.
 *
 * @param {{ WasmBreaker: Function, WasmFleetCoordinator: Function }} binding
 * @param {{ name: string, config: object, memberClockOffsetsMs?: number[], steps: object[] }[]} vectors
 */
export function fleetVectorTests(binding, vectors) {
  return vectors.map((vector) => ({ name: vector.name, run: () => runVector(binding, vector) }));
}

function runVector({ WasmBreaker, WasmFleetCoordinator }, vector) {
  const options = optionNumbers(vector.config);
  const members = (vector.memberClockOffsetsMs ?? [0]).map((offset) => ({ local: new WasmBreaker(options), offset }));
  let coordinator = new WasmFleetCoordinator(options);
  const leases = new Map();
  let at = 0;
  vector.steps.forEach((step, index) => {
    if (step.at !== undefined) at = step.at;
    const where = `step ${index} (${step.op} at ${at})`;
    const { local, offset } = members[step.member ?? 0];
    const memberNow = at + offset;
    switch (step.op) {
      case "call": {
        const token = local.acquire(memberNow);
        if (token >= 0 && step.retryAfterMs !== undefined) local.recordRetryAfter(token, memberNow, step.retryAfterMs, memberNow);
        else if (token >= 0) local.record(token, memberNow, OUTCOMES[step.outcome], memberNow);
        expectEqual(token >= 0 ? "admitted" : "rejected", step.expect ?? "admitted", where);
        break;
      }
      case "localState":
        expectEqual(STATES[local.state(memberNow)], step.expect, where);
        break;
      case "localReset":
        local.reset(memberNow);
        break;
      case "tripPending":
        expectEqual(local.fleetTripPending(), step.expect, where);
        break;
      case "sync": {
        const report = local.fleetReport(memberNow);
        if (step.expectReport) expectSubset(JSON.parse(report), step.expectReport, `${where} report`);
        const answer = coordinator.sync(report, at);
        const refusal = local.fleetMerge(answer, memberNow);
        if (refusal !== undefined) throw new Error(`${where}: merge refused: ${refusal}`);
        expectSubset(JSON.parse(answer), step.expect ?? {}, where);
        break;
      }
      case "report": {
        const text = step.reportText ?? JSON.stringify(step.report);
        if (step.expectError === undefined) {
          expectSubset(JSON.parse(coordinator.sync(text, at)), step.expect ?? {}, where);
          break;
        }
        let error;
        try {
          coordinator.sync(text, at);
        } catch (thrown) {
          error = thrown;
        }
        if (!(error instanceof Error)) throw new Error(`${where}: report accepted, expected an Error naming ${step.expectError}`);
        expectNamesField(error.message, step.expectError, where);
        break;
      }
      case "lease": {
        const answer = JSON.parse(coordinator.lease(at));
        if (step.lease !== undefined && answer.lease !== null) leases.set(step.lease, JSON.stringify({ version: 1, lease: answer.lease }));
        expectSubset({ granted: answer.lease !== null, snapshot: answer.snapshot }, step.expect ?? {}, where);
        break;
      }
      case "settle": {
        const lease = leases.get(step.lease);
        if (lease === undefined) throw new Error(`${where}: no lease labelled ${step.lease}`);
        expectSubset(JSON.parse(coordinator.settle(lease, OUTCOMES[step.outcome], at)), step.expect ?? {}, where);
        break;
      }
      case "snapshot":
        expectSubset(JSON.parse(coordinator.snapshot(at)), step.expect, where);
        break;
      case "merge": {
        const viewBefore = local.fleetView();
        const refusal = local.fleetMerge(step.snapshotText ?? JSON.stringify(step.snapshot), memberNow);
        if (step.expectError === undefined) {
          if (refusal !== undefined) throw new Error(`${where}: merge refused: ${refusal}`);
          break;
        }
        if (refusal === undefined) throw new Error(`${where}: merge accepted, expected an error naming ${step.expectError}`);
        expectNamesField(refusal, step.expectError, where);
        expectEqual(local.fleetView(), viewBefore, `${where}: the view after a refused merge`);
        break;
      }
      case "admission": {
        const admission = ADMISSIONS[local.fleetAdmission(memberNow, step.staleAfterMs)];
        const retryAfter = local.fleetRetryAfter();
        const got = admission === "blocked" ? { blocked: retryAfter === -1 ? null : retryAfter } : admission;
        expectEqual(got, step.expect, where);
        break;
      }
      case "restart": {
        const persisted = coordinator.persisted(at);
        if (step.expectPersisted) expectSubset(JSON.parse(persisted), step.expectPersisted, `${where} persisted`);
        coordinator.free();
        coordinator = WasmFleetCoordinator.restore(options, persisted, at, at);
        break;
      }
      default:
        throw new Error(`${where}: unknown op`);
    }
  });
  coordinator.free();
  for (const { local } of members) local.free();
}

/** A refusal's message is "<field> <what was wrong>". */
function expectNamesField(message, field, where) {
  if (!message.startsWith(`${field} `)) throw new Error(`${where}: the refusal "${message}" does not name ${field}`);
}
