// What the full package adds to a breaker: the fetch layer, snapshots and a
// fleet, with their options. The rest of the breaker reaches them only through
// this module. edgebreaker/lite is built with lite/features.ts in its place
// (scripts/entries.mjs), so that none of them ships there, nor the wasm behind
// them.
import { fleetTransport } from "./checks.js";
import type { Engine } from "./engine.js";
import { FETCH_OPTION_NAMES, validateFetchOptions, type ValidFetchOptions } from "./fetch/options.js";
import { FleetLink } from "./fleet/link.js";
import type { FleetTransport } from "./fleet/transport.js";
import type { BreakerSnapshot } from "./snapshot.js";

export { fetchThrough } from "./fetch/call.js";
export { FLEET_BLOCKED, FLEET_LEASE } from "./fleet/link.js";
export { restoreCore } from "./restore.js";
export { snapshotText } from "./snapshot.js";

/** The options these features read, beside the breaker's own. */
export const FEATURE_OPTION_NAMES: readonly string[] = Object.freeze(["fleet", ...FETCH_OPTION_NAMES]);

/** Checks the options these features read among `given`. */
export function validateFeatureOptions(given: Record<string, unknown>): { fleet: FleetTransport | undefined; fetch: ValidFetchOptions } {
  return { fleet: fleetTransport(given.fleet), fetch: validateFetchOptions(given) };
}

/** Why an option this package does not take is unknown, if a build without a feature is the reason (see lite/features.ts). */
export function absentOption(_key: string): string | undefined {
  return undefined;
}

/** The breaker's side of its fleet, for the `fleet` option; `coreOptions` is the options' JSON for the coordinator. */
export function linkFleet(engine: Engine, transport: FleetTransport, coreOptions: string): FleetLink {
  return new FleetLink(engine, transport, coreOptions);
}

/** `breaker.snapshot()`: the state at the clock's time as plain data. */
export function snapshotOf(engine: Engine): BreakerSnapshot {
  const snapshot = JSON.parse(engine.core.snapshot(engine.now())) as BreakerSnapshot;
  engine.announceUpTo(engine.core.stateChanges());
  return snapshot;
}
