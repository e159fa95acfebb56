// The fleet bench's workerd parts: ISOLATES Workers (each its own isolate,
// fleet-workers/isolate.js) bound to one Durable Object namespace whose class
// is the package's FleetCoordinator (fleet-workers/coordinator.js, counting
// what it answers), in one Miniflare, bundled from the packed package as
// wrangler bundles it, before fake upstreams on 127.0.0.1.

import { join } from "node:path";
import { Miniflare } from "miniflare";
import { stage } from "../edge/runtimes.mjs";
import { bundleWorker, workerModules } from "../harness/bundle.mjs";

export const ISOLATES = 8;

/** Starts the bench fleet; `isolates[i].post(route, plan)` drives isolate i; `stop()` ends it. */
export async function startBenchFleet() {
  const folder = stage(join(import.meta.dirname, "fleet-workers"));
  const [isolate, coordinator] = await Promise.all([
    bundleWorker(join(folder, "isolate.js"), join(folder, "dist", "isolate")),
    bundleWorker(join(folder, "coordinator.js"), join(folder, "dist", "coordinator")),
  ]);
  const common = { compatibilityDate: "2025-09-01" };
  const isolateWorkers = Array.from({ length: ISOLATES }, (_, index) => ({
    name: `isolate-${index + 1}`,
    ...workerModules(join(folder, "dist", "isolate"), isolate.script),
    ...common,
    durableObjects: { FLEET: { className: "BenchFleetCoordinator", scriptName: "coordinator" } },
  }));
  const miniflare = new Miniflare({
    workers: [
      ...isolateWorkers,
      {
        name: "coordinator",
        ...workerModules(join(folder, "dist", "coordinator"), coordinator.script),
        ...common,
        durableObjects: { FLEET: { className: "BenchFleetCoordinator", useSQLite: true } },
      },
    ],
  });
  await miniflare.ready.catch(async (error) => {
    await miniflare.dispose();
    throw error;
  });
  const isolates = await Promise.all(
    isolateWorkers.map(async ({ name }) => {
      const worker = await miniflare.getWorker(name);
      return {
        name,
        /** POSTs `plan` to `route` of this isolate; its JSON answer. */
        async post(route, plan) {
          const response = await worker.fetch(`http://bench.fleet${route}`, { method: "POST", body: JSON.stringify(plan) });
          if (!response.ok) throw new Error(`${name} ${route}: ${response.status} ${await response.text()}`);
          return response.json();
        },
      };
    }),
  );
  return { isolates, stop: () => miniflare.dispose() };
}
