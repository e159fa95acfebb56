// A fleet whose state lives in a shared store (Deno KV, Redis) instead of one
// object that could run a coordinator: every member is its own coordinator,
// against the store. The store counts, reads and compares-and-sets (a
// `FleetStore`: edgebreaker/deno, edgebreaker/redis); the core decides what
// the stored phase becomes (WasmSharedFleet); this file asks one, then the
// other, and answers the breaker's link (link.ts) exactly as a Durable
// Object would, so status, fail-open and backoff are the same everywhere.

import { refusedOptions } from "../core-options.js";
import { WasmSharedFleet } from "../wasm/edgebreaker_fleet.js";
import { readOptions } from "./options.js";
import { initialiseFleetWasm } from "./wasm.js";
import { FLEET_REFUSAL, MAX_FLEET_MESSAGE_LENGTH, type FleetTransport } from "./transport.js";

/** What a decision needs to know of the store, read atomically (one round trip where the store allows). */
export interface StoreView {
  /**
   * The phase record as stored: text, or null when the store holds none (a
   * new fleet, or its data lost); anything else a store holds there is
   * refused, and written over (an Error: the store could not read it, and says why).
   */
  phase: unknown;
  /** The compare-and-set token of the stored phase, null when none is stored. */
  version: string | null;
  /** Milliseconds since the stored phase was written, by the fleet's clock. */
  elapsedMs: number;
  /** The fleet window's totals: outcomes counted in the stored phase while it was closed, over the last `windowMs`. */
  successes: number;
  failures: number;
  /** The sum of the reporting members' `periodMs` over the last second's syncs (the pacing's measure). */
  syncPeriods: number;
  /** Leases of the stored phase that are live: granted, not settled, not past `probeTimeoutMs`. */
  leasesLive: number;
  /** Whether a lease of the stored phase went past `probeTimeoutMs` unsettled (a failed probe). */
  leaseExpired: boolean;
}

/** One breaker's fleet limits, from its options. */
export interface FleetLimits {
  /** The fleet window's span (`windowMs`, or a minute), kept in buckets of a tenth of it. */
  windowMs: number;
  /** How many leases may be live at once (`halfOpenMaxCalls`). */
  maxLeases: number;
  /** How long a lease lives unsettled before it counts as a failed probe. */
  probeTimeoutMs: number;
}

/** The atomic operations a shared store offers a fleet, each on the fleet of breaker `name`. */
export interface FleetStore {
  /** Counts a report in the window of the stored phase if it is closed (or none is stored), counts the sync for pacing, and reads the view. */
  sync(name: string, report: { successes: number; failures: number; periodMs: number }, limits: FleetLimits): Promise<StoreView>;
  /** Writes `phase` if the stored version is still `version` (null: none stored); resolves with the view after, whoever won. */
  transition(name: string, version: string | null, phase: string, limits: FleetLimits): Promise<StoreView>;
  /**
   * A lease, if the stored version is still `version`, the phase half-open, fewer than `maxLeases` live and none
   * expired: a whole number below 2^53 never used before by this fleet; else null. With the view.
   */
  lease(name: string, version: string, limits: FleetLimits): Promise<{ lease: number | null; view: StoreView }>;
  /**
   * Gives a lease back: removes it if live and, if it was and `success`, counts a probe success for its phase.
   * Resolves with whether it was live, the probe successes counted for that phase so far, and the view.
   */
  settle(
    name: string,
    version: string,
    lease: number,
    success: boolean,
    limits: FleetLimits,
  ): Promise<{ live: boolean; probeSuccesses: number; view: StoreView }>;
}

/** A view whose phase the core has read: its text as the core writes it. */
type ReadView = StoreView & { phase: string };

/** A member's report as the core read it. */
interface Report {
  successes: number;
  failures: number;
  periodMs: number;
}

/** Outcome codes, as the breaker's link sends them. */
const SUCCESS = 0;
const IGNORED = 2;
/** How many timeouts a sync may be out before it no longer holds the next ones back. */
const GIVE_UP_TIMEOUTS = 10;
/** How often a member writes its phase over one that is missing, refused or behind, before it gives up for this exchange. */
const MAX_HEALS = 3;

/**
 * The `fleet` option of breakers whose fleet lives in `store`: one
 * `StoreMember` per breaker name and options in this process, and one memory
 * of the fleet per name, which they share.
 */
export function storeFleet(store: FleetStore, { syncIntervalMs, timeoutMs }: { syncIntervalMs: number; timeoutMs: number }): FleetTransport {
  const members = new Map<string, StoreMember>();
  const memories = new Map<string, Memory>();
  const member = (name: string, optionsJson: string): StoreMember => {
    const key = `${name}\n${optionsJson}`;
    let found = members.get(key);
    if (found === undefined) {
      let memory = memories.get(name);
      if (memory === undefined) memories.set(name, (memory = { known: undefined, leases: new Map(), syncsOut: new Set() }));
      members.set(key, (found = new StoreMember(store, name, optionsJson, memory, timeoutMs)));
    }
    return found;
  };
  return Object.freeze({
    syncIntervalMs,
    timeoutMs,
    sync: async (name: string, optionsJson: string, reportJson: string) => member(name, optionsJson).sync(reportJson),
    lease: async (name: string, optionsJson: string) => member(name, optionsJson).lease(),
    settle: async (name: string, optionsJson: string, leaseJson: string, outcome: number) => member(name, optionsJson).settle(leaseJson, outcome),
  });
}

/**
 * What this process knows of one breaker name's fleet, whatever options its
 * breakers are made with: the stored phase it last saw, the phase version
 * each lease it holds was granted in, and when each sync still out began.
 */
interface Memory {
  known: Known | undefined;
  readonly leases: Map<number, string>;
  readonly syncsOut: Set<{ readonly at: number }>;
}

/** What this process last saw of the stored phase, and when by its own clock. */
interface Known {
  phase: string;
  version: string | null;
  generation: number;
  elapsedMs: number;
  seenAt: number;
}

/** One breaker name's coordinator in this process, for one set of options: asks the store, asks the core, commits what the core decided. */
class StoreMember {
  readonly optionsJson: string;
  readonly #store: FleetStore;
  readonly #name: string;
  readonly #core: WasmSharedFleet;
  readonly #limits: FleetLimits;
  readonly #memory: Memory;
  readonly #timeoutMs: number;

  constructor(store: FleetStore, name: string, optionsJson: string, memory: Memory, timeoutMs: number) {
    initialiseFleetWasm();
    const options = readOptions(optionsJson);
    try {
      this.#core = new WasmSharedFleet(options);
    } catch (error) {
      throw refusedOptions(error, options);
    }
    this.optionsJson = optionsJson;
    this.#store = store;
    this.#name = name;
    this.#limits = { windowMs: this.#core.windowMs(), maxLeases: this.#core.maxLeases(), probeTimeoutMs: this.#core.probeTimeoutMs() };
    this.#memory = memory;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * A report counted and the fleet's snapshot. Refused while a sync that
   * timed out is still out (the breaker gave up on it, but a store that hangs
   * may yet count it): the breaker sends those counts again with its next
   * report, so after a hang they are counted twice at most, never once per
   * sync that timed out meanwhile. A sync out for GIVE_UP_TIMEOUTS timeouts
   * (a store whose client never answers) no longer holds the others back.
   */
  async sync(reportJson: string): Promise<string> {
    const report = JSON.parse(this.#core.report(reportJson)) as Report;
    const started = { at: performance.now() };
    for (const { at } of this.#memory.syncsOut) {
      const out = started.at - at;
      if (out > this.#timeoutMs && out < GIVE_UP_TIMEOUTS * this.#timeoutMs) throw new Error("the previous sync has not come back from the store");
    }
    this.#memory.syncsOut.add(started);
    let counted: StoreView;
    try {
      counted = await this.#store.sync(this.#name, report, this.#limits);
    } finally {
      this.#memory.syncsOut.delete(started);
    }
    const view = await this.#decided(counted, null, (phase, { elapsedMs, successes, failures }) =>
      this.#core.afterSync(phase, elapsedMs, successes, failures, reportJson),
    );
    return this.#core.snapshot(view.phase, view.elapsedMs, view.syncPeriods);
  }

  /**
   * A lease in the phase this process knows, half-opened first if its open
   * time is up by now (one round trip each), or, if the store's phase has
   * moved on to another half-open one, in that one.
   */
  async lease(): Promise<string> {
    const known = this.#memory.known;
    let asked = known?.version ?? null;
    const due = known === undefined ? undefined : this.#core.afterTime(known.phase, this.#elapsedNow(known), false);
    if (due !== undefined) asked = (await this.#written(asked, due)).version;
    let { lease, view } = await this.#store.lease(this.#name, asked ?? "", this.#limits);
    let read: ReadView;
    try {
      this.#hold(lease, asked);
      read = await this.#decided(view);
      if (lease === null && read.version !== asked && read.version !== null && this.#state(read) === "half_open") {
        asked = read.version;
        ({ lease, view } = await this.#store.lease(this.#name, asked, this.#limits));
        this.#hold(lease, asked);
        read = await this.#decided(view);
      }
    } catch (error) {
      // Granted but never answered: given back at once, not left to expire as a failed probe.
      if (lease !== null && asked !== null) this.#giveBack(lease, asked);
      throw error;
    }
    return this.#core.leaseAnswer(lease ?? -1, read.phase, read.elapsedMs, read.syncPeriods);
  }

  /** Remembers the phase version a lease was granted in, for its settle. */
  #hold(lease: number | null, version: string | null): void {
    if (lease !== null && version !== null) this.#memory.leases.set(lease, version);
  }

  #giveBack(lease: number, version: string): void {
    this.#memory.leases.delete(lease);
    this.#store.settle(this.#name, version, lease, false, this.#limits).catch(() => undefined);
  }

  /** A lease given back with its probe's outcome; only a lease this process was granted counts. */
  async settle(leaseJson: string, outcome: number): Promise<string> {
    const { lease, retryAfterMs } = JSON.parse(this.#core.leaseReturn(leaseJson)) as { lease: number; retryAfterMs: number | null };
    const version = this.#memory.leases.get(lease);
    if (version === undefined) {
      const view = await this.#decided(await this.#store.sync(this.#name, { successes: 0, failures: 0, periodMs: 0 }, this.#limits));
      return this.#core.snapshot(view.phase, view.elapsedMs, view.syncPeriods);
    }
    const settled = await this.#store.settle(this.#name, version, lease, outcome === SUCCESS, this.#limits);
    // Forgotten only once the store has it: a settle that failed is sent again, and the store settles a lease once.
    this.#memory.leases.delete(lease);
    const counts = settled.live && outcome !== IGNORED;
    const view = await this.#decided(settled.view, counts ? version : undefined, (phase, { elapsedMs }) =>
      this.#core.afterProbe(phase, elapsedMs, outcome === SUCCESS, settled.probeSuccesses, retryAfterMs ?? -1),
    );
    return this.#core.snapshot(view.phase, view.elapsedMs, view.syncPeriods);
  }

  /**
   * The view after what the core decides, each decision committed by
   * compare-and-set: first what time calls for (an open phase whose time is
   * up, a lease past its time), then `decide`, if the phase is still
   * `version` (null: whatever it is; undefined: no decision). A commit lost
   * to another member leaves the phase that member wrote.
   */
  async #decided(
    view: StoreView,
    version?: string | null,
    decide?: (phase: string, view: ReadView) => string | undefined,
  ): Promise<ReadView> {
    const { read, refusal } = await this.#healed(view);
    let current = read;
    const due = this.#core.afterTime(current.phase, current.elapsedMs, current.leaseExpired);
    if (due !== undefined) current = await this.#written(current.version, due);
    if (decide !== undefined && version !== undefined && (version === null || current.version === version)) {
      const next = decide(current.phase, current);
      if (next !== undefined) current = await this.#written(current.version, next);
    }
    // Exchanges run at once: one that read an older phase, and came back later, does not set what is known back.
    const generation = this.#core.generation(current.phase);
    const known = this.#memory.known;
    if (known === undefined || generation >= known.generation) {
      if (known !== undefined && known.version !== current.version) this.#forgetLeasesBut(current.version);
      this.#memory.known = { phase: current.phase, version: current.version, generation, elapsedMs: current.elapsedMs, seenAt: performance.now() };
    }
    // Healed, and decided on: the breaker still hears what was wrong, counted as a refused answer.
    if (refusal !== undefined) throw refused(refusal);
    return current;
  }

  /** The view after writing `phase` over `version`, or after whatever another member wrote first. */
  async #written(version: string | null, phase: string): Promise<ReadView> {
    const view = await this.#store.transition(this.#name, version, phase, this.#limits);
    const { read, refusal } = await this.#healed(view);
    if (refusal !== undefined) throw refused(refusal);
    return read;
  }

  /**
   * The view with its phase read by the core. A store that holds no phase
   * after this process saw one (its data lost), one the core refuses, or one
   * older than this process saw, is written back the fleet as this process
   * knows it, so the fleet's generation never goes back; a refusal is
   * reported with the healed view.
   */
  async #healed(view: StoreView): Promise<{ read: ReadView; refusal?: string }> {
    let current = view;
    let refusal: string | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const read = this.#read(current.phase);
      refusal ??= read.refusal;
      if (read.refusal === undefined && this.#notBehind(read.phase)) {
        return { read: { ...current, phase: read.phase ?? this.#core.phase(undefined) }, refusal };
      }
      if (attempt > MAX_HEALS) {
        throw refused(read.refusal ?? (read.phase === undefined ? "none stored after it was written" : "the stored generation stays below the one this member has seen"));
      }
      // Over whatever is stored now: a member that wrote an older phase first is overwritten in turn.
      current = await this.#store.transition(this.#name, current.version, this.#carried(), this.#limits);
    }
  }

  /** Whether a stored phase (undefined: none) is not behind the one this process saw; none is, once one was stored. */
  #notBehind(phase: string | undefined): boolean {
    const known = this.#memory.known;
    if (known === undefined) return true;
    return phase === undefined ? known.version === null : this.#core.generation(phase) >= known.generation;
  }

  /** The phase this process knows, as it stands now: what it writes back into a store that lost or spoilt it. */
  #carried(): string {
    const known = this.#memory.known;
    return known === undefined ? this.#core.phase(undefined) : this.#core.carried(known.phase, this.#elapsedNow(known));
  }

  /** A stored phase as the core writes it (undefined: none stored), or why the core refused it. */
  #read(text: unknown): { phase?: string; refusal?: string } {
    if (text === null) return {};
    if (text instanceof Error) return { refusal: text.message }; // a store's word that what it holds cannot be read
    if (typeof text !== "string") return { refusal: "the phase is not text" };
    if (text.length > MAX_FLEET_MESSAGE_LENGTH) return { refusal: `the phase must be at most ${MAX_FLEET_MESSAGE_LENGTH} characters; got ${text.length}` };
    try {
      return { phase: this.#core.phase(text) };
    } catch (error) {
      return { refusal: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Forgets the leases of phases other than `version`: the store no longer has them live (a settle of one finds nothing). */
  #forgetLeasesBut(version: string | null): void {
    for (const [lease, grantedIn] of this.#memory.leases) if (grantedIn !== version) this.#memory.leases.delete(lease);
  }

  /** How long ago, by now, the phase this process knows was written. */
  #elapsedNow(known: Known): number {
    return known.elapsedMs + (performance.now() - known.seenAt);
  }

  #state(view: ReadView): string {
    return (JSON.parse(view.phase) as { state: string }).state;
  }
}

/** What a transport rejects with when the store's fleet state failed validation: the breaker counts it as refused. */
function refused(why: string): Error {
  return Object.assign(new Error(`the store's fleet state: ${why}`), { name: FLEET_REFUSAL });
}
