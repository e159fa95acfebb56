// What every fleet transport maker (durableObjectFleet, denoKvFleet,
// redisFleet) takes besides its handle, checked one way, and the rule that
// one handle with one timing gives one transport, so a maker may be called
// in every request (where a Worker's `env` is) and still give `protectFetch`
// the same options each time.
import { optionalObject, timeLimit } from "../checks.js";
import type { FleetTransport } from "./transport.js";

/** How often a member syncs, and how long an exchange with the fleet's store may take. */
export interface FleetTimingOptions {
  /** How often a member with traffic syncs with the fleet, in ms (1 to 2147483647). Default 1000. */
  syncIntervalMs?: number | null;
  /** How long a sync or a lease may take before the member falls back on its own breaker, in ms (1 to 2147483647). Default 500. */
  timeoutMs?: number | null;
}

export interface FleetTiming {
  syncIntervalMs: number;
  timeoutMs: number;
}

/** The timing in `options` given to `maker`, defaults filled in. @throws TypeError / RangeError naming what is wrong. */
export function fleetTiming(maker: string, options: unknown): FleetTiming {
  const given = optionalObject<FleetTimingOptions>("options", options) ?? {};
  for (const key of Object.keys(given)) {
    if (key !== "syncIntervalMs" && key !== "timeoutMs") throw new TypeError(`unknown option "${key.slice(0, 40)}" of ${maker}`);
  }
  return { syncIntervalMs: timeLimit("syncIntervalMs", given.syncIntervalMs) ?? 1000, timeoutMs: timeLimit("timeoutMs", given.timeoutMs) ?? 500 };
}

/** The transports made so far, by handle and then by timing. */
export type MadeTransports = WeakMap<object, Map<string, FleetTransport>>;

/** The transport for `handle` and `timing`: made by `make` the first time, the same object after. */
export function madeOnce(made: MadeTransports, handle: object, timing: FleetTiming, make: () => FleetTransport): FleetTransport {
  let transports = made.get(handle);
  if (transports === undefined) made.set(handle, (transports = new Map()));
  const key = `${timing.syncIntervalMs} ${timing.timeoutMs}`;
  let transport = transports.get(key);
  if (transport === undefined) transports.set(key, (transport = make()));
  return transport;
}
