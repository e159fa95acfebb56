// edgebreaker/lite's features.ts: the breaker alone. scripts/entries.mjs puts
// this module in the place of ../features.ts when it builds edgebreaker/lite,
// so that the fetch layer, snapshots and fleets do not ship there, nor the wasm
// behind them. Each export has the type of its namesake there. The types of
// edgebreaker/lite (./index.ts) leave these features out, so that only a caller
// who ignores them gets here, and learns what to import instead.
import type * as full from "../features.js";
import { FETCH_OPTION_NAMES, PROTECT_FETCH_ONLY, type ValidFetchOptions } from "../fetch/options.js";

const FULL = 'import CircuitBreaker from "edgebreaker"';
const LITE_HAS_NO = '"edgebreaker/lite" has no';

function absent(feature: string): never {
  throw new TypeError(`${feature} is not in "edgebreaker/lite": ${FULL} for it`);
}

export const FEATURE_OPTION_NAMES: typeof full.FEATURE_OPTION_NAMES = Object.freeze([]);

// Never read: the breaker's fetch settings are read only by fetchThrough.
const NO_FETCH_SETTINGS = Object.freeze({}) as ValidFetchOptions;

/** No option of these features is taken (`absentOption` says why), so none is read. */
export const validateFeatureOptions: typeof full.validateFeatureOptions = () => ({ fleet: undefined, fetch: NO_FETCH_SETTINGS });

export const absentOption: typeof full.absentOption = (key) => {
  if (key === "fleet") return `unknown option "fleet": ${LITE_HAS_NO} fleets; ${FULL} for them`;
  if (PROTECT_FETCH_ONLY.includes(key)) return `unknown option "${key}": ${LITE_HAS_NO} protectFetch; import { protectFetch } from "edgebreaker" for it`;
  return FETCH_OPTION_NAMES.includes(key) ? `unknown option "${key}": ${LITE_HAS_NO} fetch layer; ${FULL} for breaker.fetch()` : undefined;
};

export const fetchThrough: typeof full.fetchThrough = () => absent("breaker.fetch()");
export const snapshotOf: typeof full.snapshotOf = () => absent("breaker.snapshot()");
export const snapshotText: typeof full.snapshotText = () => absent("CircuitBreaker.restore()");
export const restoreCore: typeof full.restoreCore = () => absent("CircuitBreaker.restore()");
// Never reached in lite's bundles, where FLEETS is false; they answer engine.ts's imports.
export const linkFleet: typeof full.linkFleet = () => absent("The fleet option");
export const FLEET_BLOCKED: typeof full.FLEET_BLOCKED = 1;
export const FLEET_LEASE: typeof full.FLEET_LEASE = 2;
