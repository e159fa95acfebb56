// A breaker's side of its fleet: when to sync (in the background, one at a
// time, paced, and only while calls come), the lease round trip of a
// half-open fleet, failing open to the local breaker when the coordinator
// fails, and what `getStatus().fleet` shows. What a report holds, how a
// snapshot merges and whether a call needs a lease are the core's decisions
// (the binding's fleet* methods): this file moves text and keeps time.

import type { WasmBreaker } from "../core.js";
import { describe } from "../describe.js";
import { CircuitBreakerError } from "../errors.js";
import { FAILURE, IGNORED, SUCCESS, UNKNOWN_TIME, type Engine, type Outcome } from "../engine.js";
import { FIGURES } from "../status-numbers.js";
import { FLEET_REFUSAL, type FleetStatus, type FleetTransport } from "./transport.js";
import { answerText, leaseAnswer, syncAfterMs, within } from "./wire.js";

/** The binding's `fleetAdmission` answers. */
export const FLEET_LOCAL = 0;
export const FLEET_BLOCKED = 1;
export const FLEET_LEASE = 2;

/** Sync backoff after a failure: the first wait, doubled at each failure up to the last. */
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** lastError is for people: a coordinator's message is cut to this many characters. */
const MAX_ERROR_LENGTH = 200;

/** A call admitted on a fleet lease: its local permit, and the lease to settle with its outcome. */
interface LeasedCall {
  readonly token: number;
  readonly acquiredAt: number;
  readonly lease: string;
}

export class FleetLink {
  readonly #engine: Engine;
  readonly #core: WasmBreaker;
  readonly #transport: FleetTransport;
  readonly #optionsJson: string;
  readonly #syncIntervalMs: number;
  readonly #timeoutMs: number;
  /** Once an exchange has failed: after this long without a merged snapshot, the core takes the fleet's view as unknown (and the local breaker decides). */
  #staleAfterMs: number;
  #syncing = false;
  /** Whether the last snapshot merged said closed (nothing merged yet: no view, which the core answers like one). */
  #fleetClosed = false;
  /** A local trip came while a sync was in flight: report again as soon as it is back. */
  #reportWaiting = false;
  #leasing = false;
  /** A lease fetched for a call that could not wait, for the next call to take; and what tells its keeper it was taken. */
  #readyLease: string | undefined;
  #readyLeaseTaken: (() => void) | undefined;
  /** Clock readings: the next sync is due at `#nextSyncAt`; the last one started at `#syncStartedAt`. */
  #nextSyncAt = 0;
  #syncStartedAt = 0;
  #lastMergedAt: number | undefined;
  #backoffMs = 0;
  #syncs = 0;
  #errors = 0;
  #refused = 0;
  #lastError: string | null = null;
  /** Calls admitted on a lease, by handle (see `#hold`); freed slots are reused. */
  readonly #leased: (LeasedCall | undefined)[] = [];
  readonly #freeSlots: number[] = [];

  constructor(engine: Engine, transport: FleetTransport, optionsJson: string) {
    this.#engine = engine;
    this.#core = engine.core;
    this.#transport = transport;
    this.#optionsJson = optionsJson;
    this.#syncIntervalMs = transport.syncIntervalMs;
    this.#timeoutMs = transport.timeoutMs;
    this.#staleAfterMs = this.#staleAfter(0);
  }

  /**
   * What the fleet says of a call at `now` (a clock reading): FLEET_LOCAL,
   * FLEET_BLOCKED or FLEET_LEASE. Starts a sync first when one is due (or the
   * clock went back past the last one), never waiting for it.
   */
  admission(now: number): number {
    if (!this.#syncing && (now >= this.#nextSyncAt || now < this.#syncStartedAt)) this.#sync(now);
    // The core admits every call locally while the fleet is closed, fresh or not: the common case skips the question.
    return this.#fleetClosed ? FLEET_LOCAL : this.#core.fleetAdmission(now, this.#trustViewForMs());
  }

  /**
   * How old a view the core may still follow. While the coordinator answers,
   * any view: an isolate back from a quiet spell follows the fleet's last word
   * (a half-open fleet's calls ask for leases rather than probe on their own)
   * while its first call's sync brings the next. Once an exchange has failed,
   * two sync periods and a timeout: then the local breaker decides (fail-open).
   */
  #trustViewForMs(): number {
    return this.#backoffMs === 0 ? Number.MAX_SAFE_INTEGER : this.#staleAfterMs;
  }

  /** The rejection of a call the fleet blocks: open, until the fleet's deadline as this isolate knows it. */
  blocked(): CircuitBreakerError {
    this.#core.countBlocked();
    const retryAfter = this.#core.fleetRetryAfter();
    return new CircuitBreakerError(this.#engine.name, "open", retryAfter < 0 ? null : retryAfter);
  }

  /** Whether this call may ask for a lease: one request in flight per isolate (the others are refused meanwhile). */
  startLease(): boolean {
    if (this.#leasing) return false;
    this.#leasing = true;
    return true;
  }

  /**
   * After `startLease()`: the lease round trip, then the local permit. Resolves
   * with a token for `Engine.record` (a handle, below 0), or rejects with the
   * call's refusal. A coordinator that fails, or answers what cannot be
   * believed, leaves the call to the local breaker (fail-open).
   */
  async admitLeased(): Promise<number> {
    let answer: unknown;
    try {
      answer = await this.#askLease();
    } catch (error) {
      this.#leasing = false;
      this.#failed("lease", error);
      return this.#engine.admitLocally();
    }
    this.#leasing = false;
    const now = this.#engine.now();
    const lease = this.#readLease(answer, now);
    if (lease === undefined) return this.#engine.admitLocally();
    if (lease === null) return this.#withoutLease(now);
    return this.#admitOnLease(lease);
  }

  /**
   * After `startLease()`, for a call that cannot wait (`acquire`, `callSync`,
   * refused meanwhile as by a full half-open): asks for a lease in the
   * background, which the next call takes (`admitOnReadyLease`). One that no
   * call takes within syncIntervalMs is given back, so that the fleet does not
   * count it as a lost probe.
   */
  prefetchLease(): void {
    const work = this.#askLease().then(
      (answer) => {
        this.#leasing = false;
        const lease = this.#readLease(answer, this.#engine.now());
        if (typeof lease !== "string") return undefined;
        this.#readyLease = lease;
        return new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            if (this.#readyLease === lease) {
              this.#readyLease = undefined;
              this.#settle(lease, IGNORED);
            }
            resolve();
          }, this.#syncIntervalMs);
          this.#readyLeaseTaken = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      },
      (error: unknown) => {
        this.#leasing = false;
        this.#failed("lease", error);
      },
    );
    this.#keepAlive(work);
  }

  /** A call admitted on the lease `prefetchLease` brought, if one is waiting: its token (a handle, below 0); else undefined. */
  admitOnReadyLease(): number | undefined {
    const lease = this.#readyLease;
    if (lease === undefined) return undefined;
    this.#readyLease = undefined;
    this.#readyLeaseTaken?.();
    return this.#admitOnLease(lease);
  }

  /** The local permit of a call the fleet leased a probe to; the lease is given back if the local breaker refuses. */
  #admitOnLease(lease: string): number {
    let token: number;
    try {
      token = this.#engine.admitLocally();
    } catch (error) {
      this.#settle(lease, IGNORED);
      throw error;
    }
    return this.#hold({ token, acquiredAt: this.#engine.acquiredAt, lease });
  }

  /**
   * No lease granted: the call is refused as by a full half-open, unless the
   * snapshot that came with the answer changed what the fleet says (it has
   * closed: the local breaker decides; it has opened: blocked).
   */
  #withoutLease(now: number): number {
    const admission = this.#core.fleetAdmission(now, this.#trustViewForMs());
    if (admission === FLEET_LOCAL) return this.#engine.admitLocally();
    if (admission === FLEET_BLOCKED) throw this.blocked();
    throw this.halfOpenFull();
  }

  /** The rejection of a call that found no lease: as by a full half-open circuit, counted as blocked. */
  halfOpenFull(): CircuitBreakerError {
    this.#core.countBlocked();
    return new CircuitBreakerError(this.#engine.name, "half_open", 0);
  }

  /**
   * The acquire time of what `admitLeased()` resolved with: a leased call's
   * local permit (UNKNOWN_TIME for a handle no longer held), or a permit of
   * the local breaker alone (the coordinator failed, or granted no lease).
   */
  acquiredAt(token: number): number {
    if (token >= 0) return this.#engine.acquiredAt;
    return this.#leased[-2 - token]?.acquiredAt ?? UNKNOWN_TIME;
  }

  /**
   * Settles a leased call: its local permit as usual (with `retryAfterMs`, as
   * a Retry-After failure), then its lease with the outcome the local breaker
   * judged (a slow success is a failure), in the background.
   */
  settleLeased(handle: number, outcome: Outcome, now: number, retryAfterMs?: number): void {
    const slot = -2 - handle;
    const call = this.#leased[slot];
    if (call === undefined) return;
    this.#leased[slot] = undefined;
    this.#freeSlots.push(slot);
    const slowBefore = outcome === SUCCESS ? this.#slowCalls() : 0;
    if (retryAfterMs === undefined) this.#engine.recordPermit(call.token, call.acquiredAt, outcome, now);
    else this.#engine.recordPermitRetryAfter(call.token, call.acquiredAt, retryAfterMs, now);
    if (retryAfterMs !== undefined) {
      // The fleet opens for the upstream's Retry-After, as the local breaker did.
      this.#settle(JSON.stringify({ ...JSON.parse(call.lease), retryAfterMs: Math.ceil(retryAfterMs) }), FAILURE);
    } else {
      this.#settle(call.lease, outcome === SUCCESS && this.#slowCalls() > slowBefore ? FAILURE : outcome);
    }
  }

  /** After the local breaker changed state: a local trip is reported at once (unless the coordinator is failing). */
  localChanged(): void {
    if (!this.#core.fleetTripPending()) return;
    if (this.#syncing) this.#reportWaiting = true;
    else if (this.#backoffMs === 0) this.#sync(this.#engine.now());
  }

  /** `getStatus().fleet` at `now`. */
  status(now: number): FleetStatus {
    const view = this.#view();
    return {
      state: view?.state ?? null,
      generation: view?.generation ?? null,
      lastSyncAgoMs: this.#lastMergedAt === undefined ? null : Math.max(0, now - this.#lastMergedAt),
      syncs: this.#syncs,
      errors: this.#errors,
      refused: this.#refused,
      lastError: this.#lastError,
      backoffMs: this.#backoffMs,
    };
  }

  #sync(now: number): void {
    this.#syncing = true;
    this.#syncStartedAt = now;
    const report = this.#core.fleetReport(now);
    const work = this.#exchange(() => this.#transport.sync(this.#engine.name, this.#optionsJson, report)).then(
      (answer) => this.#synced(this.#merge(answer, this.#engine.now()) ? syncAfterMs(answer as string) : undefined),
      (error: unknown) => {
        // The next sync carries its counts again, and a trip in it; not after a refusal, which
        // means the coordinator counted the report and then could not answer.
        if (!isRefusal(error)) this.#core.fleetReportLost();
        this.#failed("sync", error);
        this.#synced(undefined);
      },
    );
    this.#keepAlive(work);
  }

  /**
   * A sync is back: paced as the coordinator asked (`syncAfterMs` of a merged
   * snapshot), or backed off when it failed (undefined); a trip that waited
   * for it is reported now.
   */
  #synced(syncAfterMs: number | undefined): void {
    const now = this.#engine.now();
    this.#syncing = false;
    if (syncAfterMs === undefined) return; // backed off already, by #failed or #refuse
    this.#backoffMs = 0;
    this.#staleAfterMs = this.#staleAfter(syncAfterMs);
    this.#nextSyncAt = now + Math.max(this.#syncIntervalMs, syncAfterMs);
    if (this.#reportWaiting) {
      this.#reportWaiting = false;
      this.#sync(now);
    }
  }

  /**
   * A view is fresh for two sync periods and a timeout: one late or lost sync
   * does not drop a fleet-wide half-open onto the local breakers.
   */
  #staleAfter(syncAfterMs: number): number {
    return 2 * Math.max(this.#syncIntervalMs, syncAfterMs) + this.#timeoutMs;
  }

  /**
   * A lease settled, in the background; its answer is a snapshot like a
   * sync's. A settle that fails is sent once more: the coordinator settles a
   * lease once, so a repeat of one that did arrive changes nothing, while one
   * that never arrived would hold the lease until probeTimeoutMs and then
   * count as a failed probe.
   */
  #settle(lease: string, outcome: Outcome): void {
    const send = (): Promise<unknown> => this.#transport.settle(this.#engine.name, this.#optionsJson, lease, outcome);
    const work = this.#exchange(send).catch(() => this.#exchange(send)).then(
      (answer) => void this.#merge(answer, this.#engine.now()),
      (error: unknown) => this.#failed("settle", error),
    );
    this.#keepAlive(work);
  }

  /** Merges a snapshot (JSON text) into the local breaker, as the core decides; whether it was believed. */
  #merge(answer: unknown, now: number): boolean {
    const text = answerText(answer);
    if (!text.ok) return this.#refuse(text.why);
    const refusal = this.#core.fleetMerge(text.value, now);
    this.#engine.announceUpTo(this.#core.stateChanges());
    // An answer overtaken by a newer one (a sync's, after a settle's that closed the fleet) is refused and
    // counted, but is no sign of a failing coordinator: no backoff.
    if (refusal !== undefined) return this.#refuse(refusal, !this.#core.fleetIsStale(text.value));
    this.#fleetClosed = this.#view()?.state === "closed";
    this.#syncs += 1;
    this.#lastMergedAt = now;
    return true;
  }

  /**
   * The lease in a lease answer, as the JSON the coordinator takes back, after
   * merging its snapshot: null when none was granted; undefined when the
   * answer is refused.
   */
  #readLease(answer: unknown, now: number): string | null | undefined {
    const text = answerText(answer);
    const read = text.ok ? leaseAnswer(text.value) : text;
    if (!read.ok) return void this.#refuse(read.why);
    return this.#merge(read.value.snapshot, now) ? read.value.lease : undefined;
  }

  #refuse(why: string, backOff = true): false {
    this.#refused += 1;
    this.#lastError = `refused: ${why}`.slice(0, MAX_ERROR_LENGTH);
    if (backOff) this.#backOff();
    return false;
  }

  #failed(exchange: string, error: unknown): void {
    if (isRefusal(error)) return void this.#refuse(error.message);
    this.#errors += 1;
    const message = error instanceof Error ? error.message : describe(error);
    this.#lastError = `${exchange} failed: ${message}`.slice(0, MAX_ERROR_LENGTH);
    this.#backOff();
  }

  /** After any failed exchange: the next sync waits 1 s, doubled at each failure in a row up to 30 s (or syncIntervalMs, if longer). */
  #backOff(): void {
    this.#backoffMs = this.#backoffMs === 0 ? FIRST_BACKOFF_MS : Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
    const now = this.#engine.now();
    this.#nextSyncAt = Math.max(this.#nextSyncAt, now + Math.max(this.#syncIntervalMs, this.#backoffMs));
  }

  #exchange(send: () => Promise<unknown>): Promise<unknown> {
    return within(this.#timeoutMs, send);
  }

  /**
   * A lease request. One that times out may still be granted (a slow
   * coordinator): the call went on without it, so a lease in the late answer
   * is given back at once, as ignored, rather than held until probeTimeoutMs
   * and counted as a failed probe that re-opens the fleet.
   */
  #askLease(): Promise<unknown> {
    const send = (): Promise<unknown> => this.#transport.lease(this.#engine.name, this.#optionsJson);
    return within(this.#timeoutMs, send, (late) => this.#keepAlive(late.then((answer) => this.#giveBackLate(answer), () => undefined)));
  }

  #giveBackLate(answer: unknown): void {
    const text = answerText(answer);
    const read = text.ok ? leaseAnswer(text.value) : text;
    if (read.ok && read.value.lease !== null) this.#settle(read.value.lease, IGNORED);
  }

  /** Background work outlives the response where the transport says how (a Worker's waitUntil). It never rejects. */
  #keepAlive(work: Promise<void>): void {
    try {
      this.#transport.waitUntil?.(work);
    } catch {
      // No request to attach it to (a call made outside one): it runs all the same.
    }
  }

  /** The slot of `call` as a token below 0, which `Engine.record` hands back to `settleLeased`. */
  #hold(call: LeasedCall): number {
    const slot = this.#freeSlots.pop() ?? this.#leased.length;
    this.#leased[slot] = call;
    return -2 - slot;
  }

  /** Slow successes so far, asked of the core: how a leased success was judged. */
  #slowCalls(): number {
    return this.#core.status(UNKNOWN_TIME)[FIGURES.slowCalls]!;
  }

  /** The core's view of the fleet: the last snapshot merged. */
  #view(): { state: FleetStatus["state"]; generation: number } | undefined {
    const view = this.#core.fleetView();
    return view === undefined ? undefined : (JSON.parse(view) as { state: FleetStatus["state"]; generation: number });
  }
}

/** A transport's rejection for what its coordinator holds failing validation (see FLEET_REFUSAL). */
function isRefusal(error: unknown): error is Error {
  return error instanceof Error && error.name === FLEET_REFUSAL;
}
