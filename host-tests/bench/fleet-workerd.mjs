// The fleet bench's workerd: ISOLATES Workers (each its own isolate,
// fleet-workers/isolate.js) bound to one Durable Object namespace whose class
// is the package's FleetCoordinator (fleet-workers/coordinator.js, counting
// what it answers), in one Miniflare, bundled from the packed package as
// wrangler bundles it, as the fleet suite starts its own (../fleet/engines/cloudflare.mjs).

import { join } from "node:path";
import { stage } from "../edge/runtimes.mjs";
import { startWorkerdFleet } from "../fleet/engines/cloudflare.mjs";

export const ISOLATES = 8;

/** Starts the bench fleet; `isolates[i].post(route, plan)` drives isolate i; `stop()` ends it. */
export function startBenchFleet() {
  return startWorkerdFleet({ workersFolder: stage(join(import.meta.dirname, "fleet-workers")), isolates: ISOLATES, className: "BenchFleetCoordinator" });
}
