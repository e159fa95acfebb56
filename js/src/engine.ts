// What a breaker does with the core: admit, record, read the clock, and
// announce the transitions the core reports. The public classes
// (CircuitBreaker, Permit) share one Engine; it is not exported from the package.
import { coreOptionsJson } from "./core-options.js";
import { createCore, type WasmBreaker } from "./core.js";
import { clockReading } from "./checks.js";
import { CircuitBreakerError } from "./errors.js";
import { announce } from "./events.js";
import { FLEET_BLOCKED, FLEET_LEASE, linkFleet, restoreCore } from "./features.js";
import type { FleetLink } from "./fleet/link.js";
import type { BreakerLogger, ValidOptions } from "./options.js";
import { STATE_NAMES } from "./state.js";
import { statusFromNumbers } from "./status-numbers.js";
import type { StateChange } from "./status.js";
import { stateChangeAt, TRANSITION_NUMBERS } from "./transition.js";
import type { WasmFigures } from "./wasm/edgebreaker.js";

/** Outcome codes of the binding's `record`. */
export const SUCCESS = 0;
export const FAILURE = 1;
export const IGNORED = 2;
export type Outcome = typeof SUCCESS | typeof FAILURE | typeof IGNORED;

/**
 * A time the binding takes as "unknown": as an acquire time, no slow-call
 * timing; as the time of an operation, the latest time the core has seen.
 */
export const UNKNOWN_TIME = -1;

/**
 * What `admit(true)` returns when the fleet is half-open and this call may
 * ask for a probe lease: the caller awaits `fleet.admitLeased()` for its token.
 */
export const AWAIT_LEASE = -2;

let breakersNamed = 0;

export class Engine {
  readonly core: WasmBreaker;
  readonly name: string;
  readonly #clock: () => number;
  readonly #isFailure: ((error: unknown) => boolean) | undefined;
  readonly #target: EventTarget;
  readonly #onStateChange: ((change: StateChange) => void) | undefined;
  readonly #logger: BreakerLogger | undefined;
  /** State changes already announced (or skipped, when nobody listened). */
  #seenChanges = 0;
  /** Whether anyone wants to hear of state changes; set once, never cleared. */
  listening: boolean;
  /** Changes waiting to be announced, oldest first. */
  readonly #pending: StateChange[] = [];
  #announcing = false;
  /**
   * The acquire time of the permit `admit()` returned last: the caller reads
   * it right away (two results without allocating a pair).
   */
  acquiredAt = UNKNOWN_TIME;
  #probeTimeoutMs: number | undefined;
  /** The breaker's side of its fleet, with the `fleet` option. */
  readonly fleet: FleetLink | undefined;

  /** With `snapshot` (JSON text), the core is restored from it at the clock's time. */
  constructor(target: EventTarget, options: ValidOptions, snapshot?: string) {
    this.#clock = options.clock ?? Date.now;
    this.core =
      snapshot === undefined ? createCore(options.core) : restoreCore(options.core, snapshot, clockReading(this.#clock()));
    this.name = options.name ?? `breaker-${++breakersNamed}`;
    this.#isFailure = options.isFailure;
    this.#target = target;
    this.#onStateChange = options.onStateChange;
    this.#logger = options.logger;
    this.listening = options.onStateChange !== undefined || options.logger !== undefined;
    this.fleet = !FLEETS || options.fleet === undefined ? undefined : linkFleet(this, options.fleet, coreOptionsJson(options.core));
  }

  /**
   * A permit token, or throws `CircuitBreakerError` when refused (or a
   * RangeError when the clock is needed and reads wrong; nothing is counted
   * then). A closed circuit admits without reading the clock, unless the
   * breaker is in a fleet: then the fleet is asked first (no round trip). A
   * half-open fleet admits on a lease fetched already, or answers AWAIT_LEASE
   * to a caller that can wait (`canLease`); the others are refused as by a
   * full half-open (one that cannot wait sends for a lease for the next call).
   * A call admitted on a lease has a token below 0.
   */
  admit(canLease = false): number {
    const fleet = this.fleet;
    if (FLEETS && fleet !== undefined) {
      const admission = fleet.admission(clockReading(this.#clock()));
      if (admission === FLEET_BLOCKED) throw fleet.blocked();
      if (admission === FLEET_LEASE) {
        const leased = fleet.admitOnReadyLease();
        if (leased !== undefined) return leased;
        if (fleet.startLease()) {
          if (canLease) return AWAIT_LEASE;
          fleet.prefetchLease();
        }
        throw fleet.halfOpenFull();
      }
    }
    const token = this.core.acquireIfClosed();
    if (token >= 0) {
      this.acquiredAt = UNKNOWN_TIME;
      return token;
    }
    return this.#acquire(clockReading(this.#clock()));
  }

  /** A permit from the local breaker alone, at the clock's time (a fleet's lease granted, or its coordinator failing). */
  admitLocally(): number {
    return this.#acquire(clockReading(this.#clock()));
  }

  #acquire(now: number): number {
    const admitted = this.core.acquire(now);
    this.announceUpTo(this.core.stateChanges());
    if (admitted < 0) throw this.#rejection();
    // The core took the latest time it has seen, which a clock gone backwards
    // leaves later than `now`; slow-call timing must start from the same instant.
    this.acquiredAt = this.core.latestTime();
    return admitted;
  }

  /**
   * Whether the permit `admit()` returned last is a half-open probe, asked of
   * the core (the state it was admitted in). Only the fetch layer asks, after
   * admitting: a closed circuit's quick admission never reaches the core's clock.
   */
  admittedProbe(): boolean {
    return this.acquiredAt !== UNKNOWN_TIME && STATE_NAMES[this.core.state(UNKNOWN_TIME)] === "half_open";
  }

  /** The configured (or default) probeTimeoutMs, as the core resolved it; read once, when first needed. */
  get probeTimeoutMs(): number {
    this.#probeTimeoutMs ??= statusFromNumbers(this.core.status(UNKNOWN_TIME)).config.probeTimeoutMs!;
    return this.#probeTimeoutMs;
  }

  /** The status at the clock's time as the core's figures, breaker `index`'s in `into` (see figures.ts). */
  readFigures(into: WasmFigures, index: number): void {
    into.read(index, this.core, this.now());
    this.announceUpTo(this.core.stateChanges());
  }

  /** Settles a permit at `now` (a reading of `now()`), or reads the clock once. A token below 0 is a leased call's. */
  record(token: number, acquiredAt: number, outcome: Outcome, now: number = this.now()): void {
    if (FLEETS && token < 0) this.fleet?.settleLeased(token, outcome, now);
    else this.recordPermit(token, acquiredAt, outcome, now);
  }

  /** Settles a permit as failed with the upstream's Retry-After. */
  recordRetryAfter(token: number, acquiredAt: number, retryAfterMs: number): void {
    if (FLEETS && token < 0) this.fleet?.settleLeased(token, FAILURE, this.now(), retryAfterMs);
    else this.recordPermitRetryAfter(token, acquiredAt, retryAfterMs, this.now());
  }

  /** Settles a permit of the local breaker. */
  recordPermit(token: number, acquiredAt: number, outcome: Outcome, now: number): void {
    const changes = this.core.record(token, acquiredAt, outcome, now);
    if (changes !== this.#seenChanges) this.announceUpTo(changes);
  }

  /** Settles a permit of the local breaker as failed, with the upstream's Retry-After. */
  recordPermitRetryAfter(token: number, acquiredAt: number, retryAfterMs: number, now: number): void {
    this.announceUpTo(this.core.recordRetryAfter(token, acquiredAt, retryAfterMs, now));
  }

  /** How a thrown error counts: only an explicit `false` from `isFailure` ignores it. */
  judge(error: unknown): Outcome {
    if (this.#isFailure === undefined) return FAILURE;
    try {
      return this.#isFailure(error) === false ? IGNORED : FAILURE;
    } catch {
      return FAILURE; // a broken judge must not hide failures
    }
  }

  /**
   * The clock's reading for an operation that must not fail (settling,
   * status): a reading the core cannot use becomes UNKNOWN_TIME, which the
   * binding takes as the latest time it has seen, so no outcome is lost.
   */
  now(): number {
    try {
      const now = this.#clock();
      return typeof now === "number" ? now : UNKNOWN_TIME;
    } catch {
      return UNKNOWN_TIME;
    }
  }

  #rejection(): CircuitBreakerError {
    const state = STATE_NAMES[this.core.rejectedState()] === "half_open" ? "half_open" : "open";
    return new CircuitBreakerError(this.name, state, this.core.rejectedRetryAfterMs() ?? null);
  }

  /** Announces the state changes after those already seen, up to `changes`, oldest first. */
  announceUpTo(changes: number): void {
    const seen = this.#seenChanges;
    if (changes === seen) return;
    this.#seenChanges = changes;
    if (FLEETS) this.fleet?.localChanged();
    if (!this.listening) return;
    const flat = this.core.transitionsSince(seen);
    for (let first = 0; first + TRANSITION_NUMBERS <= flat.length; first += TRANSITION_NUMBERS) {
      this.#pending.push(stateChangeAt(this.name, flat, first));
    }
    // A listener that drives the breaker lands here again: its changes queue
    // behind the ones being announced, so everyone hears them in order.
    if (this.#announcing) return;
    this.#announcing = true;
    try {
      let announced = changes - this.#pending.length;
      for (let change = this.#pending.shift(); change !== undefined; change = this.#pending.shift()) {
        announce(this.#target, change, this.#onStateChange, this.#logger, ++announced);
      }
    } finally {
      this.#announcing = false;
    }
  }
}
