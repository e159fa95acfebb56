// "edgebreaker/deno": a breaker fleet whose store is Deno KV. Every member
// runs the store-backed coordinator (../fleet/store.ts) against the database;
// the main package knows a fleet by its FleetTransport interface alone.
import { describe } from "../describe.js";
import { storeFleet, type FleetStore } from "../fleet/store.js";
import { fleetTiming, madeOnce, type FleetTimingOptions, type MadeTransports } from "../fleet/timing.js";
import type { FleetTransport } from "../fleet/transport.js";
import type { DenoKv } from "./kv.js";
import { DenoKvStore } from "./store.js";

export type { DenoKv, KvAtomicOperation, KvKey, KvListedEntry, KvMaybeEntry, KvSelector } from "./kv.js";
export type { FleetTransport, FleetStatus } from "../fleet/transport.js";
/** @internal The store under `denoKvFleet`, for the tests of its atomic operations. */
export { DenoKvStore };

/** Options of `denoKvFleet`. */
export type DenoKvFleetOptions = FleetTimingOptions;

/** The transports made so far, by database and then by their options: one object each, however often asked for. */
const made: MadeTransports = new WeakMap();
/** One store per database, whatever the options: its requests go one at a time. */
const stores = new WeakMap<DenoKv, DenoKvStore>();

/**
 * The `fleet` option for breakers whose fleet shares a Deno KV database: on
 * Deno Deploy `await Deno.openKv()`, elsewhere a self-hosted `denokv`
 * server's URL (`Deno.openKv("http://…")`, its token in
 * DENO_KV_ACCESS_TOKEN) or a file every process opens. The keys of breaker
 * `name` start with ["edgebreaker", name]. The same database and options give
 * the same transport, so calling this wherever a breaker is made gives
 * `protectFetch` the same options each time.
 *
 * ```ts
 * const kv = await Deno.openKv();
 * const breaker = getCircuitBreaker("llm", { ...presets.llm, fleet: denoKvFleet(kv) });
 * ```
 * @throws TypeError / RangeError naming what is wrong.
 */
export function denoKvFleet(kv: DenoKv, options?: DenoKvFleetOptions | null): FleetTransport {
  if (typeof kv !== "object" || kv === null) throw new TypeError(`kv must be a Deno KV database (await Deno.openKv()); got ${describe(kv)}`);
  for (const method of ["get", "list", "atomic"] as const) {
    if (typeof kv[method] !== "function") {
      throw new TypeError(`kv must be a Deno KV database (await Deno.openKv()): kv.${method} must be a function; got ${describe(kv[method])}`);
    }
  }
  const timing = fleetTiming("denoKvFleet", options);
  return madeOnce(made, kv, timing, () => {
    let store = stores.get(kv);
    if (store === undefined) stores.set(kv, (store = new DenoKvStore(kv)));
    return storeFleet(timed(store, timing.timeoutMs), timing);
  });
}

/** `store`, its syncs' reports not sent once `timeoutMs` has passed (the breaker has counted the sync failed, and reports them again). */
function timed(store: DenoKvStore, timeoutMs: number): FleetStore {
  return {
    sync: (name, report, limits) => store.sync(name, report, limits, performance.now() + timeoutMs),
    transition: (name, version, phase, limits) => store.transition(name, version, phase, limits),
    lease: (name, version, limits) => store.lease(name, version, limits),
    settle: (name, version, lease, success, limits) => store.settle(name, version, lease, success, limits),
  };
}
