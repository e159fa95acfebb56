// "edgebreaker/deno": a breaker fleet whose store is Deno KV. Every member
// runs the store-backed coordinator (../fleet/store.ts) against the database;
// the main package knows a fleet by its FleetTransport interface alone.
import { optionalObject, timeLimit } from "../checks.js";
import { describe } from "../describe.js";
import { storeFleet, type FleetStore } from "../fleet/store.js";
import type { FleetTransport } from "../fleet/transport.js";
import type { DenoKv } from "./kv.js";
import { DenoKvStore } from "./store.js";

export type { DenoKv, KvAtomicOperation, KvKey, KvListedEntry, KvMaybeEntry, KvSelector } from "./kv.js";
export type { FleetTransport, FleetStatus } from "../fleet/transport.js";
export { DenoKvStore };

/** Options of `denoKvFleet`. */
export interface DenoKvFleetOptions {
  /** How often a process with traffic syncs with the fleet, in ms (1 to 2147483647). Default 1000. */
  syncIntervalMs?: number | null;
  /** How long a sync or a lease may take before the process falls back on its own breaker, in ms (1 to 2147483647). Default 500. */
  timeoutMs?: number | null;
}

/** The store and the transports made so far, by database and then by their options: one object each, however often asked for. */
const made = new WeakMap<object, { store: DenoKvStore; transports: Map<string, FleetTransport> }>();

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
  const given = optionalObject<DenoKvFleetOptions>("options", options) ?? {};
  for (const key of Object.keys(given)) {
    if (key !== "syncIntervalMs" && key !== "timeoutMs") throw new TypeError(`unknown option "${key.slice(0, 40)}" of denoKvFleet`);
  }
  const syncIntervalMs = timeLimit("syncIntervalMs", given.syncIntervalMs) ?? 1000;
  const timeoutMs = timeLimit("timeoutMs", given.timeoutMs) ?? 500;
  let forKv = made.get(kv);
  if (forKv === undefined) made.set(kv, (forKv = { store: new DenoKvStore(kv), transports: new Map() }));
  const key = `${syncIntervalMs} ${timeoutMs}`;
  let transport = forKv.transports.get(key);
  if (transport === undefined) forKv.transports.set(key, (transport = storeFleet(timed(forKv.store, timeoutMs), { syncIntervalMs, timeoutMs })));
  return transport;
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
