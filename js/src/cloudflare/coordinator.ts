// The fleet's coordinator on Cloudflare: one Durable Object per breaker name,
// running the same core as the isolates (WasmFleetCoordinator). Its RPC
// methods take and return JSON text; every string is size-capped before the
// core reads it, and the core validates the rest. The config comes from the
// isolates (one deployment), never from storage: the first options seen build
// the core, and options that differ (a deployment rolling out) take effect
// once the fleet has changed state, not while it is half-open (which would
// drop its leases), so that alternating options do not empty the fleet
// window at every request. What must survive a restart
// (state, generation, deadline, backoff) is written after each generation
// change and read back before the first call is served.
import { DurableObject } from "cloudflare:workers";
import { refusedOptions } from "../core-options.js";
import { describe } from "../describe.js";
import { readOptions } from "../fleet/options.js";
import { initialiseFleetWasm } from "../fleet/wasm.js";
import { MAX_FLEET_MESSAGE_LENGTH } from "../fleet/transport.js";
import { WasmFleetCoordinator } from "../wasm/edgebreaker_fleet.js";

/** The storage key of the persisted state. */
const STORED = "edgebreaker-fleet";

/**
 * The Durable Object class of a fleet coordinator. Export it from your
 * Worker and bind it (wrangler.toml):
 *
 * ```toml
 * [[durable_objects.bindings]]
 * name = "BREAKER_FLEET"
 * class_name = "FleetCoordinator"
 *
 * [[migrations]]
 * tag = "v1"
 * new_sqlite_classes = ["FleetCoordinator"]
 * ```
 *
 * then give breakers `fleet: durableObjectFleet(env.BREAKER_FLEET)`.
 */
export class FleetCoordinator extends DurableObject {
  #core: WasmFleetCoordinator | undefined;
  /** The options text the core was built with, and the generation it was built at. */
  #optionsJson: string | undefined;
  #builtGeneration = -1;
  /** Options text that differs from the core's, already found valid (so not checked again at each request). */
  #checkedOptionsJson: string | undefined;
  /** The persisted state read at start, until a core is built from it. */
  #stored: Stored | undefined;
  #storedGeneration = -1;

  constructor(ctx: ConstructorParameters<typeof DurableObject>[0], env: unknown) {
    super(ctx, env);
    initialiseFleetWasm();
    void ctx.blockConcurrencyWhile(async () => {
      this.#stored = storedState(await ctx.storage.get(STORED));
    });
  }

  /** A report from an isolate; answers the fleet's snapshot. Throws an Error naming what is wrong. */
  sync(name: string, optionsJson: string, reportJson: string): string {
    const core = this.#coreFor(name, optionsJson);
    const now = Date.now();
    return this.#persisting(core, now, core.sync(capped("reportJson", reportJson), now));
  }

  /** A probe lease while half-open: answers `{"version":1,"lease":n|null,"snapshot":{...}}`. */
  lease(name: string, optionsJson: string): string {
    const core = this.#coreFor(name, optionsJson);
    const now = Date.now();
    return this.#persisting(core, now, core.lease(now));
  }

  /** A lease given back with its probe's outcome (0 success, 1 failure, 2 ignored); answers the fleet's snapshot. */
  settle(name: string, optionsJson: string, leaseJson: string, outcome: number): string {
    const core = this.#coreFor(name, optionsJson);
    if (outcome !== 0 && outcome !== 1 && outcome !== 2) {
      throw new RangeError(`outcome must be 0 (success), 1 (failure) or 2 (ignored); got ${describe(outcome)}`);
    }
    const now = Date.now();
    return this.#persisting(core, now, core.settle(capped("leaseJson", leaseJson), outcome, now));
  }

  /**
   * The core for these options: the current one, or one built for them,
   * carrying on from the current core's state (or the stored one), once
   * the fleet has changed state since the current core was built and is not
   * half-open. Options the core refuses change nothing.
   */
  #coreFor(name: string, optionsJson: string): WasmFleetCoordinator {
    capped("name", name);
    if (this.#core !== undefined && optionsJson === this.#optionsJson) return this.#core;
    const options = readOptions(capped("optionsJson", optionsJson));
    const now = Date.now();
    if (this.#core !== undefined && !this.#rebuildDue(this.#core, now)) {
      if (optionsJson !== this.#checkedOptionsJson) {
        try {
          new WasmFleetCoordinator(options).free();
        } catch (error) {
          throw refusedOptions(error, options);
        }
        this.#checkedOptionsJson = optionsJson;
      }
      return this.#core;
    }
    const carried = this.#core === undefined ? this.#stored : { persisted: this.#core.persisted(now), writtenAt: now };
    let core: WasmFleetCoordinator;
    try {
      // Restored as of the time it was written: an open period keeps its deadline across a restart.
      core = carried === undefined ? new WasmFleetCoordinator(options) : restoredOrNew(options, carried, now);
    } catch (error) {
      throw refusedOptions(error, options);
    }
    this.#core?.free();
    this.#core = core;
    this.#optionsJson = optionsJson;
    this.#builtGeneration = core.generation();
    this.#stored = undefined;
    if (this.#storedGeneration < 0) this.#storedGeneration = carried === undefined ? -1 : core.generation();
    return core;
  }

  /** Whether `core` may be rebuilt for other options at `now`: the fleet changed state since it was built, and has no leases out. */
  #rebuildDue(core: WasmFleetCoordinator, now: number): boolean {
    return core.generation() !== this.#builtGeneration && (JSON.parse(core.snapshot(now)) as { state: string }).state !== "half_open";
  }

  /** `answer`, after writing the persisted state if the generation changed since it was last written. */
  #persisting(core: WasmFleetCoordinator, now: number, answer: string): string {
    const generation = core.generation();
    if (generation !== this.#storedGeneration) {
      this.#storedGeneration = generation;
      // Not awaited: the object's output gate holds the answer until the write is durable.
      void this.ctx.storage.put(STORED, { persisted: core.persisted(now), writtenAt: now } satisfies Stored);
    }
    return answer;
  }
}

/** What is stored: the core's persisted state (remaining durations) and when it was written, by this object's clock. */
interface Stored {
  persisted: string;
  writtenAt: number;
}

/** The stored state, or undefined when there is none or it is not of this shape. */
function storedState(stored: unknown): Stored | undefined {
  if (typeof stored !== "object" || stored === null) return undefined;
  const { persisted, writtenAt } = stored as Partial<Stored>;
  return typeof persisted === "string" && typeof writtenAt === "number" && Number.isFinite(writtenAt) ? { persisted, writtenAt } : undefined;
}

/** A string argument of at most MAX_FLEET_MESSAGE_LENGTH characters, or a TypeError / RangeError naming it. */
function capped(what: string, value: unknown): string {
  if (typeof value !== "string") throw new TypeError(`${what} must be a string; got ${describe(value)}`);
  if (value.length > MAX_FLEET_MESSAGE_LENGTH) {
    throw new RangeError(`${what} must be at most ${MAX_FLEET_MESSAGE_LENGTH} characters; got ${value.length}`);
  }
  return value;
}

/** A core carrying on from `stored`, or a new one when it cannot be read with these options (it was written by another version, say). */
function restoredOrNew(options: Float64Array, stored: Stored, now: number): WasmFleetCoordinator {
  try {
    return WasmFleetCoordinator.restore(options, stored.persisted, stored.writtenAt, now);
  } catch {
    return new WasmFleetCoordinator(options);
  }
}
