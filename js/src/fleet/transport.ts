// What the main package knows of a fleet coordinator: an interface. A
// transport (`durableObjectFleet` from "edgebreaker/cloudflare", or one of
// your own) carries JSON text between the breaker and a coordinator that runs
// the same core; this package never imports a coordinator's code.
import type { State } from "../state.js";

/**
 * The `fleet` option: how a breaker reaches the coordinator of its fleet. Each
 * method sends JSON text the breaker made and resolves with the coordinator's
 * answer, JSON text the breaker validates before it believes a word of it (an
 * answer that fails is refused and counted; a method that throws, rejects or
 * takes longer than `timeoutMs` is an error and counted; one that rejects
 * with an Error named "FleetRefusal" is counted as refused). `name` is the
 * breaker's name (one coordinator per name); `optionsJson` its core options
 * (config comes from the isolates, never from the coordinator's storage).
 */
export interface FleetTransport {
  /** How often an isolate with traffic syncs, in milliseconds (the coordinator may ask for less often). */
  readonly syncIntervalMs: number;
  /** How long a sync, lease or settle may take before it counts as failed, in milliseconds. */
  readonly timeoutMs: number;
  /** Reports this isolate's outcomes since its last report; resolves with the fleet's snapshot. */
  sync(name: string, optionsJson: string, reportJson: string): Promise<string>;
  /** Asks for a probe lease while the fleet is half-open; resolves with `{"version":1,"lease":n|null,"snapshot":{...}}`. */
  lease(name: string, optionsJson: string): Promise<string>;
  /** Settles a lease with the probe's outcome (0 success, 1 failure, 2 ignored); resolves with the fleet's snapshot. */
  settle(name: string, optionsJson: string, leaseJson: string, outcome: number): Promise<string>;
  /** Keeps background work alive after the response has gone (a Worker's `waitUntil`); not needed where the process lives on. */
  readonly waitUntil?: ((work: Promise<unknown>) => void) | null;
}

/** `getStatus().fleet`: what this isolate knows of its fleet, and how its exchanges with the coordinator went. */
export interface FleetStatus {
  /** The fleet's state in the last snapshot merged, or `null` before the first. */
  state: State | null;
  /** The fleet's generation in the last snapshot merged (it never goes back), or `null` before the first. */
  generation: number | null;
  /** Milliseconds since the last snapshot was merged, by this breaker's clock, or `null` before the first. */
  lastSyncAgoMs: number | null;
  /** Snapshots merged (from syncs, leases and settles). */
  syncs: number;
  /** Exchanges that failed: the transport threw, rejected or took longer than `timeoutMs`. */
  errors: number;
  /**
   * Answers refused: not a string, longer than 65536 characters, malformed, or
   * of a lower generation (which, as an answer overtaken by a newer one looks
   * so, does not back the syncs off).
   */
  refused: number;
  /** What went wrong last, or `null` when nothing has. */
  lastError: string | null;
  /** How long syncs are held back after a failure (1 s doubling to 30 s), 0 when the last sync succeeded. */
  backoffMs: number;
}

/**
 * The `name` of an Error a transport rejects with when what its coordinator
 * holds failed validation (a fleet state in a store that the core refused):
 * the breaker counts it as a refused answer, not as a failed exchange.
 */
export const FLEET_REFUSAL = "FleetRefusal";

/** The longest text, in UTF-16 code units, either side reads: anything longer is refused before it is parsed. */
export const MAX_FLEET_MESSAGE_LENGTH = 65_536;
