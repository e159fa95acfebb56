// The isolates' side of a Durable Object fleet: the FleetTransport the main
// package's `fleet` option takes, calling the coordinator's RPC methods.
import { waitUntil } from "cloudflare:workers";
import { requiredFunction } from "../checks.js";
import { describe } from "../describe.js";
import { fleetTiming, madeOnce, type FleetTimingOptions, type MadeTransports } from "../fleet/timing.js";
import type { FleetTransport } from "../fleet/transport.js";

/** Options of `durableObjectFleet`. */
export type DurableObjectFleetOptions = FleetTimingOptions;

/**
 * What `durableObjectFleet` needs of a Durable Object namespace bound to
 * `FleetCoordinator` (`env.BREAKER_FLEET`, typed
 * `DurableObjectNamespace<FleetCoordinator>` in a Workers project).
 */
export interface FleetCoordinatorNamespace {
  idFromName(name: string): unknown;
  get(id: any): FleetCoordinatorStub;
}

/** The coordinator's RPC methods, as a stub offers them. */
export interface FleetCoordinatorStub {
  sync(name: string, optionsJson: string, reportJson: string): Promise<string>;
  lease(name: string, optionsJson: string): Promise<string>;
  settle(name: string, optionsJson: string, leaseJson: string, outcome: number): Promise<string>;
}

/** The transports made so far, by namespace and then by their options: one object each, however often asked for. */
const made: MadeTransports = new WeakMap();

/**
 * The `fleet` option for breakers whose coordinator is a `FleetCoordinator`
 * Durable Object: one object per breaker name (`idFromName(name)`).
 * Background work is kept alive with `waitUntil` from "cloudflare:workers".
 * The same namespace and options give the same transport, so calling this in
 * every request (where `env` is) gives `protectFetch` the same options each time.
 *
 * ```ts
 * const breaker = getCircuitBreaker("llm", { ...presets.llm, fleet: durableObjectFleet(env.BREAKER_FLEET) });
 * ```
 * @throws TypeError / RangeError naming what is wrong.
 */
export function durableObjectFleet(namespace: FleetCoordinatorNamespace, options?: DurableObjectFleetOptions | null): FleetTransport {
  if (typeof namespace !== "object" || namespace === null) {
    throw new TypeError(`namespace must be a Durable Object namespace (env.BREAKER_FLEET); got ${describe(namespace)}`);
  }
  requiredFunction("namespace.idFromName", namespace.idFromName);
  requiredFunction("namespace.get", namespace.get);
  const timing = fleetTiming("durableObjectFleet", options);
  return madeOnce(made, namespace, timing, () => transportTo(namespace, timing.syncIntervalMs, timing.timeoutMs));
}

function transportTo(namespace: FleetCoordinatorNamespace, syncIntervalMs: number, timeoutMs: number): FleetTransport {
  // An id is a value (reused); a stub belongs to the request that made it, so each exchange makes its own.
  const ids = new Map<string, unknown>();
  const coordinator = (name: string): FleetCoordinatorStub => {
    let id = ids.get(name);
    if (id === undefined) ids.set(name, (id = namespace.idFromName(name)));
    return namespace.get(id);
  };
  return Object.freeze({
    syncIntervalMs,
    timeoutMs,
    sync: (name: string, optionsJson: string, reportJson: string) => coordinator(name).sync(name, optionsJson, reportJson),
    lease: (name: string, optionsJson: string) => coordinator(name).lease(name, optionsJson),
    settle: (name: string, optionsJson: string, leaseJson: string, outcome: number) =>
      coordinator(name).settle(name, optionsJson, leaseJson, outcome),
    waitUntil: (work: Promise<unknown>) => waitUntil(work),
  });
}
