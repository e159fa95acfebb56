// A state change as the core hands it over (8 numbers, see the binding's
// `transitionsSince`) turned into the `StateChange` events carry, and the
// sentence a log line says it in. The cause is the core's, never guessed here.
import { CORE_CAUSE_NAMES } from "./wasm/core-names.js";
import { STATE_NAMES } from "./state.js";
import type { StateChange, TransitionCause } from "./status.js";

/** Numbers per change in `transitionsSince`'s answer. */
export const TRANSITION_NUMBERS = 8;

/** The cause codes as names, in the core's order (the public `TransitionCause` names them all, checked here). */
export const CAUSE_NAMES = CORE_CAUSE_NAMES satisfies readonly TransitionCause[];

/** The change of breaker `name` whose numbers start at `flat[first]`; NaN marks a figure that does not apply. */
export function stateChangeAt(name: string, flat: Float64Array, first: number): StateChange {
  const number = (offset: number): number => flat[first + offset] ?? Number.NaN;
  const to = STATE_NAMES[number(1)]!;
  const change: StateChange = { name, from: STATE_NAMES[number(0)]!, to, at: number(2), cause: CAUSE_NAMES[number(3)]! };
  const [failures, calls, retryAfterMs, openForMs] = [number(4), number(5), number(6), number(7)];
  if (!Number.isNaN(failures)) {
    change.failures = failures;
    change.calls = calls;
  }
  if (!Number.isNaN(retryAfterMs)) change.retryAfterMs = retryAfterMs;
  if (to === "open") change.openForMs = Number.isNaN(openForMs) ? null : openForMs;
  return change;
}

/**
 * What happened and why, as a log line says it: "opened: 3 of 10 calls
 * failed; open for 60 s", "opened: the upstream asked for Retry-After 30 s".
 */
export function describeChange(change: StateChange): string {
  const verb = change.to === "open" ? "opened" : change.to === "half_open" ? "half-opened" : "closed";
  const openFor = change.openForMs === undefined ? "" : `; open ${change.openForMs === null ? "until reset()" : `for ${duration(change.openForMs)}`}`;
  return `${verb}: ${reason(change)}${openFor}`;
}

function reason(change: StateChange): string {
  const tally = `${change.failures} of ${change.calls} calls failed`;
  switch (change.cause) {
    case "failure_threshold":
      return tally;
    case "failure_rate":
      return `${tally} (${percent(change.failures! / change.calls!)})`;
    case "slow_calls":
      return change.failures === undefined ? "the probe succeeded too slowly" : `${tally}, the last a slow success`;
    case "retry_after":
      return `the upstream asked for Retry-After ${duration(change.retryAfterMs!)}`;
    case "probe_failed":
      return "the probe failed";
    case "probe_expired":
      return "a probe did not settle within probeTimeoutMs";
    case "open_time_elapsed":
      return "the open time elapsed";
    case "probes_succeeded":
      return "the probes succeeded";
    case "reset":
      return "reset()";
    case "force_open":
      return "forceOpen()";
    case "fleet":
      return change.to === "open" ? "its fleet is open" : "its fleet recovered";
  }
}

/** "500 ms", "30 s", "1.5 s". */
function duration(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${ms / 1_000} s`;
}

/** "33 %", "2.5 %". */
function percent(ratio: number): string {
  return `${Math.round(ratio * 1_000) / 10} %`;
}
