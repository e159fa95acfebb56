// A fleet in workerd (Miniflare): ISOLATES Workers, each its own isolate,
// running workers/isolate.js, all bound to one Durable Object namespace whose
// class (the package's FleetCoordinator, as workers/coordinator.js's
// test-only subclass) lives in a Worker of its own, as a deployment would
// bind it by script_name. Everything is bundled as wrangler bundles it, from
// the packed package; the upstream is the fake one on 127.0.0.1.

import { join } from "node:path";
import { Miniflare } from "miniflare";
import { bundleWorker, workerModules } from "../harness/bundle.mjs";
import { stage } from "../edge/runtimes.mjs";

export const ISOLATES = 4;

/** workers/, staged beside the installed package. */
export const folder = stage(join(import.meta.dirname, "workers"));

/** Starts the fleet; `isolates[i].post(route, plan)` drives isolate i; `stop()` ends it all. */
export function startFleet() {
  return startWorkerdFleet({ workersFolder: folder, isolates: ISOLATES, className: "TestFleetCoordinator" });
}

/**
 * `isolates` Workers running `workersFolder`/isolate.js, each its own isolate, all
 * bound (as FLEET) to the Durable Object class `className` exported by
 * `workersFolder`/coordinator.js, a Worker of its own (the fleet bench starts its
 * own workers this way). `isolates[i].post(route, plan)` drives isolate i.
 */
export async function startWorkerdFleet({ workersFolder, isolates: count, className }) {
  const [isolate, coordinator] = await Promise.all([
    bundleWorker(join(workersFolder, "isolate.js"), join(workersFolder, "dist", "isolate")),
    bundleWorker(join(workersFolder, "coordinator.js"), join(workersFolder, "dist", "coordinator")),
  ]);
  const common = { compatibilityDate: "2025-09-01" };
  const isolateWorkers = Array.from({ length: count }, (_, index) => ({
    name: `isolate-${index + 1}`,
    ...workerModules(join(workersFolder, "dist", "isolate"), isolate.script),
    ...common,
    durableObjects: { FLEET: { className, scriptName: "coordinator" } },
  }));
  const miniflare = new Miniflare({
    workers: [
      ...isolateWorkers,
      {
        name: "coordinator",
        ...workerModules(join(workersFolder, "dist", "coordinator"), coordinator.script),
        ...common,
        durableObjects: { FLEET: { className, useSQLite: true } },
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
          const response = await worker.fetch(`http://fleet.test${route}`, { method: "POST", body: JSON.stringify(plan) });
          if (!response.ok) throw new Error(`${name} ${route}: ${response.status} ${await response.text()}`);
          return response.json();
        },
      };
    }),
  );
  return { isolates, stop: () => miniflare.dispose() };
}
