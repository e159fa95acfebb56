// The public surface of "edgebreaker". Every runtime's entry is this file; the
// runtime-specific part (how the wasm is obtained) sits behind `#wasm-module`.
export { CircuitBreaker } from "./breaker.js";
export { Permit, type FailureOptions } from "./permit.js";
export { CircuitBreakerError, TimeoutError } from "./errors.js";
export { StateChangeEvent, type StateChangeListener } from "./events.js";
export { circuitBreaker, type CircuitBreakerDecorator } from "./decorator.js";
export {
  getCircuitBreaker,
  listCircuitBreakers,
  resetAllCircuitBreakers,
  clearCircuitBreakerRegistry,
  removeCircuitBreaker,
} from "./registry.js";
/** @internal For "edgebreaker/opentelemetry", which counts each registered breaker's transitions from its first. */
export { onCircuitBreakerRegistered } from "./registry.js";
export { circuitBreakerFigures, FIGURES, type BreakerFigures } from "./figures.js";
export { protectFetch, type ProtectFetchOptions, type ProtectedFetch } from "./fetch/protect.js";
export type { FetchOptions } from "./fetch/options.js";
export type { FetchTimeout } from "./fetch/timeout-error.js";
export { presets } from "./presets.js";
export { State } from "./state.js";
export type { CircuitBreakerOptions, BreakerLogger } from "./options.js";
export type { BreakerStatus, BreakerMetrics, BreakerConfig, StateChange, TransitionCause } from "./status.js";
export type { BreakerSnapshot, BreakerSnapshotEntry, BreakerSnapshotMetrics } from "./snapshot.js";
export type { FleetTransport, FleetStatus } from "./fleet/transport.js";
