// A fleet's store on Deno KV: it counts, reads, compares and sets, and keeps
// the fleet's clock (sightings.ts); every decision is the core's, taken by
// the store-backed coordinator in ../fleet/store.ts. How each operation stays
// atomic when many members race:
//
//   sync        a `sum` of the report into the window bucket of the phase, with a check of the phase's
//               versionstamp (counted only in the phase that was read; a changed phase is read again)
//   transition  a `set` of the phase with a check of the versionstamp it replaces: one writer wins
//   lease       a `set` of a slot key with a check that the slot is empty and the phase unchanged:
//               at most maxLeases slots, all in that phase
//   settle      a `delete` of the slot with a check of its versionstamp, and the probe count's `set`
//               with a check of its own, in one commit: a lease is given back and counted once
//
// Reads are strong (Deno KV's default) and go one at a time (requests.ts);
// nothing is read or written on a breaker's call path (link.ts syncs in the
// background).
import { describe } from "../describe.js";
import type { FleetLimits, FleetStore, StoreView } from "../fleet/store.js";
import type { DenoKv, KvKey } from "./kv.js";
import { FleetKeys, PACE_BUCKET_MS, WINDOW_BUCKETS } from "./keys.js";
import { KvRequests, type KvLane } from "./requests.js";
import { Sightings } from "./sightings.js";
import { count, leaseSlot, paceBucket, storedPhase, versionstamp, wholeNumber, windowKey, type StoredPhase } from "./values.js";

/** The longest phase record written, in UTF-16 code units: far below Deno KV's 64 KiB per value. */
const MAX_PHASE_LENGTH = 16_384;
/** The most lease slots a phase can have (halfOpenMaxCalls' bound), and so the most a read lists. */
const MAX_LEASES = 4_096;
/** Commits a sync or a settle tries before it gives up (each failure means another member changed what it checked). */
const MAX_ATTEMPTS = 5;
/** Keys of old phases and buckets looked at (and deleted with the next sync) per sweep. */
const SWEEP_LIMIT = 16;
/** How long the probe count of a phase is kept (garbage collection: a phase that lasts longer starts counting again). */
const PROBES_KEPT_MS = 24 * 60 * 60 * 1000;
/** The most probe successes listed: more than any successThreshold needs to close. */
const MAX_PROBE_KEYS = 1_000;
/** The longest expiry asked of Deno KV. */
const MAX_EXPIRE_IN_MS = 365 * 24 * 60 * 60 * 1000;

/** What the store remembers of one fleet between operations. */
interface Fleet {
  readonly name: string;
  readonly keys: FleetKeys;
  /** The phase as last read or written: what the next sync counts its report in (checked at the commit). */
  known: StoredPhase | undefined;
  /** Stale keys found by a sweep, deleted with the next sync's commit. */
  garbage: KvKey[];
  /** When (Date.now()) this process last swept the fleet's old keys. */
  sweptAt: number;
  /** The pace as last read, and when (Date.now()). */
  pace: { readAt: number; total: number } | undefined;
}

/** A lease slot as read. */
interface Slot {
  readonly key: KvKey;
  readonly id: number;
  readonly stamp: string;
}

/** Everything a decision reads, and the lease slots behind `leasesLive`. */
interface Read {
  readonly view: StoreView;
  readonly slots: readonly Slot[];
}

/**
 * The `FleetStore` behind `denoKvFleet`: a fleet's counts, phase and probe
 * leases in a Deno KV database, under ["edgebreaker", name]. `denoKvFleet`
 * makes one per database; make one yourself only to drive a store-backed
 * coordinator of your own. `monotonicNow` is the clock durations are measured
 * on (default `performance.now()`).
 */
export class DenoKvStore implements FleetStore {
  readonly #kv: KvRequests;
  readonly #sightings: Sightings;
  readonly #fleets = new Map<string, Fleet>();

  constructor(kv: DenoKv, monotonicNow: () => number = () => performance.now()) {
    this.#kv = new KvRequests(kv, monotonicNow);
    this.#sightings = new Sightings(monotonicNow);
  }

  /** `notAfter`: a reading of `monotonicNow` after which the report is no longer sent (its caller has timed out). */
  async sync(
    name: string,
    report: { successes: number; failures: number; periodMs: number },
    limits: FleetLimits,
    notAfter?: number,
  ): Promise<StoreView> {
    const fleet = this.#fleet(name);
    checkLimits(limits);
    const successes = wholeCount("report.successes", report?.successes);
    const failures = wholeCount("report.failures", report?.failures);
    const periodMs = wholeCount("report.periodMs", report?.periodMs);
    const now = Date.now();
    for (let attempt = 1; ; attempt += 1) {
      const known = fleet.known ?? (await this.#readPhase(this.#kv.background, fleet));
      const operation = this.#kv.atomic();
      if (successes + failures > 0) {
        // Checked even when the phase read is not closed: a phase that changed since is read again.
        operation.check({ key: fleet.keys.phase, versionstamp: known.version });
        if (isClosed(known.phase)) {
          const bucket = Math.floor(now / bucketWidth(limits.windowMs));
          const version = known.version ?? "";
          if (successes > 0) operation.sum(fleet.keys.windowBucket(version, bucket, "successes"), BigInt(successes));
          if (failures > 0) operation.sum(fleet.keys.windowBucket(version, bucket, "failures"), BigInt(failures));
        }
      }
      if (periodMs > 0) operation.sum(fleet.keys.paceBucket(Math.floor(now / PACE_BUCKET_MS)), BigInt(periodMs));
      for (const key of fleet.garbage) operation.delete(key);
      if (successes + failures + periodMs + fleet.garbage.length === 0) break;
      if ((await this.#kv.background.commit(operation, notAfter)).ok) {
        fleet.garbage = [];
        break;
      }
      fleet.known = undefined;
      if (attempt === MAX_ATTEMPTS) throw new Error(`the fleet's phase changed during each of ${MAX_ATTEMPTS} attempts to count a report`);
    }
    return (await this.#read(this.#kv.background, fleet, limits, true)).view;
  }

  async transition(name: string, version: string | null, phase: string, limits: FleetLimits): Promise<StoreView> {
    const fleet = this.#fleet(name);
    checkLimits(limits);
    if (version !== null) checkVersion(version);
    if (typeof phase !== "string") throw new TypeError(`phase must be a string; got ${describe(phase)}`);
    if (phase.length > MAX_PHASE_LENGTH) throw new RangeError(`phase must be at most ${MAX_PHASE_LENGTH} characters; got ${phase.length}`);
    const operation = this.#kv.atomic().check({ key: fleet.keys.phase, versionstamp: version }).set(fleet.keys.phase, phase);
    const result = await this.#kv.urgent.commit(operation);
    if (!result.ok) return (await this.#read(this.#kv.urgent, fleet, limits)).view;
    const written = versionstamp(fleet.keys.phase, result.versionstamp);
    fleet.known = { phase, version: written };
    // The writer's clock starts at the write; a phase just written has no window and no leases yet (nothing to read).
    const elapsedMs = this.#sightings.phaseAge(name, written);
    const syncPeriods = await this.#pace(this.#kv.urgent, fleet, Date.now());
    return { phase, version: written, elapsedMs, successes: 0, failures: 0, syncPeriods, leasesLive: 0, leaseExpired: false };
  }

  async lease(name: string, version: string, limits: FleetLimits): Promise<{ lease: number | null; view: StoreView }> {
    const fleet = this.#fleet(name);
    checkLimits(limits);
    checkVersion(version);
    // Each failed commit means another member took a slot (or changed the phase): at most maxLeases + 1 rounds.
    for (let attempt = 0; attempt <= limits.maxLeases; attempt += 1) {
      const { view, slots } = await this.#read(this.#kv.urgent, fleet, limits);
      if (view.version !== version || stateOf(view.phase) !== "half_open" || view.leaseExpired || view.leasesLive >= limits.maxLeases) {
        return { lease: null, view };
      }
      const taken = new Set(slots.map(({ key }) => key.at(-1)));
      const free = Array.from({ length: limits.maxLeases }, (_, slot) => slot).filter((slot) => !taken.has(slot));
      if (free.length === 0) return { lease: null, view };
      // A random free slot, so that members racing for the same phase mostly ask for different ones.
      const key = fleet.keys.lease(version, free[Math.floor(Math.random() * free.length)]!);
      const id = leaseId();
      const result = await this.#kv.urgent.commit(
        this.#kv
          .atomic()
          .check({ key: fleet.keys.phase, versionstamp: version }, { key, versionstamp: null })
          .set(key, id, { expireIn: Math.min(2 * limits.probeTimeoutMs + 60_000, MAX_EXPIRE_IN_MS) }),
      );
      if (result.ok) {
        this.#sightings.leaseAges(name, [versionstamp(key, result.versionstamp)], false); // its clock starts at the grant
        return { lease: id, view: { ...view, leasesLive: view.leasesLive + 1 } };
      }
    }
    return { lease: null, view: (await this.#read(this.#kv.urgent, fleet, limits)).view };
  }

  async settle(
    name: string,
    version: string,
    lease: number,
    success: boolean,
    limits: FleetLimits,
  ): Promise<{ live: boolean; probeSuccesses: number; view: StoreView }> {
    const fleet = this.#fleet(name);
    checkLimits(limits);
    checkVersion(version);
    if (!Number.isSafeInteger(lease) || lease < 0) throw new RangeError(`lease must be a whole number from 0 to 2^53 - 1; got ${describe(lease)}`);
    if (typeof success !== "boolean") throw new TypeError(`success must be a boolean; got ${describe(success)}`);
    for (let attempt = 1; ; attempt += 1) {
      const { view, slots: current } = await this.#read(this.#kv.urgent, fleet, limits);
      const slots = view.version === version ? current : await this.#slots(this.#kv.urgent, fleet, version);
      const slot = slots.find(({ id }) => id === lease);
      // Gone (settled, or its phase's keys expired), or expired: not live. An expired one stays, so the fleet sees it.
      if (slot === undefined || this.#sightings.leaseAges(name, [slot.stamp], false)[0]! > limits.probeTimeoutMs) {
        return { live: false, probeSuccesses: await this.#probeSuccesses(fleet, version), view };
      }
      const operation = this.#kv.atomic().check({ key: slot.key, versionstamp: slot.stamp }).delete(slot.key);
      // A key of its own per lease: settles of different leases never contend.
      if (success) operation.set(fleet.keys.probe(version, lease), true, { expireIn: PROBES_KEPT_MS });
      if ((await this.#kv.urgent.commit(operation)).ok) {
        const counted = view.version === version ? { ...view, leasesLive: Math.max(0, view.leasesLive - 1) } : view;
        return { live: true, probeSuccesses: await this.#probeSuccesses(fleet, version), view: counted };
      }
      if (attempt === MAX_ATTEMPTS) throw new Error(`the lease's slot changed during each of ${MAX_ATTEMPTS} attempts to settle it`);
    }
  }

  /** The probe successes settled in phase `version`: its keys, listed (a few: successThreshold at most, then the phase changes). */
  async #probeSuccesses(fleet: Fleet, version: string): Promise<number> {
    return (await this.#kv.urgent.entries({ prefix: fleet.keys.probes(version) }, MAX_PROBE_KEYS)).length;
  }

  /** The fleet of `name`, made at its first use. */
  #fleet(name: string): Fleet {
    let fleet = this.#fleets.get(name);
    if (fleet === undefined) {
      const keys = new FleetKeys(name); // checks the name
      this.#fleets.set(name, (fleet = { name, keys, known: undefined, garbage: [], sweptAt: 0, pace: undefined }));
    }
    return fleet;
  }

  async #readPhase(lane: KvLane, fleet: Fleet): Promise<StoredPhase> {
    return (fleet.known = storedPhase(await lane.get(fleet.keys.phase), fleet.keys.phase));
  }

  /**
   * The view now: the phase, then what its state needs (the window's totals
   * while closed, the leases while half-open), the pace, and (`sweep`: for a
   * sync) now and then a sweep for old keys. One read at a time: a Deno KV client over HTTP
   * answers requests in flight together tens of milliseconds later than the
   * same requests one after another.
   */
  async #read(lane: KvLane, fleet: Fleet, limits: FleetLimits, sweep = false): Promise<Read> {
    const now = Date.now();
    const width = bucketWidth(limits.windowMs);
    const phase = await this.#readPhase(lane, fleet);
    const state = stateOf(phase.phase);
    // Outcomes are counted only in a closed phase, and a lease is granted only in a half-open one.
    const totals = isClosed(phase.phase) ? await this.#totals(lane, fleet, phase.version, now, width) : { successes: 0, failures: 0 };
    const slots = state === "half_open" ? await this.#slots(lane, fleet, phase.version) : [];
    const syncPeriods = await this.#pace(lane, fleet, now);
    if (sweep && now - fleet.sweptAt >= 1_000) {
      fleet.sweptAt = now;
      fleet.garbage = await this.#sweep(lane, fleet, phase.version ?? "", now, width);
    }
    const ages = this.#sightings.leaseAges(fleet.name, slots.map(({ stamp }) => stamp), true);
    const view: StoreView = {
      phase: phase.phase,
      version: phase.version,
      elapsedMs: this.#sightings.phaseAge(fleet.name, phase.version),
      successes: totals.successes,
      failures: totals.failures,
      syncPeriods,
      leasesLive: ages.filter((age) => age <= limits.probeTimeoutMs).length,
      leaseExpired: ages.some((age) => age > limits.probeTimeoutMs),
    };
    return { view, slots };
  }

  /** The outcomes counted under `version` in the window's buckets up to now. */
  async #totals(lane: KvLane, fleet: Fleet, version: string | null, now: number, width: number): Promise<{ successes: number; failures: number }> {
    const bucket = Math.floor(now / width);
    const totals = { successes: 0, failures: 0 };
    const range = fleet.keys.windowRange(version ?? "", bucket - WINDOW_BUCKETS + 1, bucket + 1);
    for (const entry of await lane.entries(range, 2 * WINDOW_BUCKETS)) {
      totals[windowKey(entry.key, fleet.keys.window.length).kind] += count(entry);
    }
    return totals;
  }

  /** The lease slots of `version`. */
  async #slots(lane: KvLane, fleet: Fleet, version: string | null): Promise<Slot[]> {
    const slots: Slot[] = [];
    if (version === null) return slots;
    const prefix = fleet.keys.leases(version);
    for (const { key, value, versionstamp: stamp } of await lane.entries({ prefix }, MAX_LEASES)) {
      leaseSlot(key, prefix.length);
      slots.push({ key, id: wholeNumber(key, value, "a lease id"), stamp: versionstamp(key, stamp) });
    }
    return slots;
  }

  /** The members' periodMs summed over the last second's syncs (as read at most a pace bucket ago: it is for pacing). */
  async #pace(lane: KvLane, fleet: Fleet, now: number): Promise<number> {
    if (fleet.pace !== undefined && now - fleet.pace.readAt >= 0 && now - fleet.pace.readAt < PACE_BUCKET_MS) return fleet.pace.total;
    const bucket = Math.floor(now / PACE_BUCKET_MS);
    let total = 0;
    const buckets = 1_000 / PACE_BUCKET_MS;
    for (const entry of await lane.entries(fleet.keys.paceRange(bucket - buckets + 1, bucket + 1), buckets)) {
      paceBucket(entry.key, fleet.keys.pace.length);
      total += count(entry);
    }
    fleet.pace = { readAt: now, total: Math.min(total, Number.MAX_SAFE_INTEGER) };
    return fleet.pace.total;
  }

  /**
   * The oldest window and pace keys (they list first) that can go: those of
   * phases older than `current` (the phase's version just read; a newer one
   * is a phase this read has not seen yet) and of buckets out of the window.
   */
  async #sweep(lane: KvLane, fleet: Fleet, current: string, now: number, width: number): Promise<KvKey[]> {
    const oldestBucket = Math.floor(now / width) - WINDOW_BUCKETS + 1;
    const oldestPace = Math.floor(now / PACE_BUCKET_MS) - 1_000 / PACE_BUCKET_MS + 1;
    const garbage: KvKey[] = [];
    for (const { key } of await lane.entries({ prefix: fleet.keys.window }, SWEEP_LIMIT)) {
      const { version, bucket } = windowKey(key, fleet.keys.window.length);
      if (version < current || (version === current && bucket < oldestBucket)) garbage.push(key);
    }
    for (const { key } of await lane.entries({ prefix: fleet.keys.pace }, SWEEP_LIMIT)) {
      if (paceBucket(key, fleet.keys.pace.length) < oldestPace) garbage.push(key);
    }
    return garbage;
  }
}

/** The width of a window bucket: a tenth of the window, in whole ms. */
function bucketWidth(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / WINDOW_BUCKETS));
}

/** The `state` of a phase record, or null when it has none that reads (the core refuses such a record). */
function stateOf(phase: unknown): unknown {
  if (typeof phase !== "string") return null;
  try {
    return (JSON.parse(phase) as { state?: unknown } | null)?.state ?? null;
  } catch {
    return null;
  }
}

/** Whether outcomes count in this phase: closed, or none stored (a new fleet, generation 0, closed). */
function isClosed(phase: unknown): boolean {
  return phase === null || stateOf(phase) === "closed";
}

/** A random whole number below 2^52: lease ids are never reused, and no member can guess another's. */
function leaseId(): number {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  return (high! % 2 ** 20) * 2 ** 32 + low!;
}

function wholeCount(what: string, value: unknown): number {
  if (Number.isSafeInteger(value) && (value as number) >= 0) return value as number;
  throw new RangeError(`${what} must be a whole number from 0 to 2^53 - 1; got ${describe(value)}`);
}

/** A version given back: a string no longer than a versionstamp ("" or another that was never stored matches no phase). */
function checkVersion(version: unknown): void {
  if (typeof version !== "string" || version.length > 64) {
    throw new TypeError(`version must be a versionstamp read from the store; got ${describe(version)}`);
  }
}

function checkLimits(limits: FleetLimits): void {
  if (typeof limits !== "object" || limits === null) throw new TypeError(`limits must be an object; got ${describe(limits)}`);
  const whole = (what: keyof FleetLimits, max: number) => {
    const value = limits[what];
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
      throw new RangeError(`limits.${what} must be a whole number from 1 to ${max}; got ${describe(value)}`);
    }
  };
  whole("windowMs", Number.MAX_SAFE_INTEGER);
  whole("maxLeases", MAX_LEASES);
  whole("probeTimeoutMs", Number.MAX_SAFE_INTEGER);
}
