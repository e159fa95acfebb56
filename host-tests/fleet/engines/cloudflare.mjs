// The Cloudflare engine of the fleet scenarios (README.md here): four Workers,
// each its own workerd isolate running ../workers/isolate.js (the member), all
// bound to one Durable Object namespace whose class (the package's
// FleetCoordinator, as ../workers/coordinator.js's test-only subclass) lives in
// a Worker of its own, as a deployment binds it by script_name. Everything runs
// in one Miniflare, bundled as wrangler bundles it, from the packed package.
//
// The store is the coordinator objects, one per breaker name: stop, hang and
// resume set the mode of every object a member was asked about; a restart is
// the object's reset (ctx.abort: memory lost, storage kept). A Durable
// Object's storage can be neither lost nor tampered with from outside.

import { join } from "node:path";
import { Miniflare } from "miniflare";
import { bundleWorker, workerModules } from "../../harness/bundle.mjs";
import { stagedFleetFolder } from "../staged.mjs";

const MEMBERS = 4;

/** ../workers/, staged beside the installed package (the type check writes its tsconfig there). */
export function workersFolder() {
  return join(stagedFleetFolder(), "workers");
}

export default {
  name: "cloudflare",
  can: { loseData: false, tamperStore: false },
  async start() {
    const { isolates, stop } = await startWorkerdFleet({ workersFolder: workersFolder(), isolates: MEMBERS, className: "TestFleetCoordinator" });
    /** Every breaker name a member was asked about: each has a coordinator object. */
    const breakers = new Set();
    const members = isolates.map(({ name, post }) => ({
      name,
      post(route, plan) {
        if (typeof plan?.breaker === "string") breakers.add(plan.breaker);
        return post(route, plan);
      },
    }));
    /** `command` (with `mode`) to every coordinator object; `ok` what each call must answer. */
    const tellEvery = async (command, mode, ok) => {
      for (const breaker of breakers) {
        const answer = await isolates[0].post("/coordinator", { breaker, command, mode });
        if (answer.ok !== ok) throw new Error(`${command} ${mode ?? ""} of the coordinator of ${breaker}: ${JSON.stringify(answer)}`);
      }
    };
    return {
      members,
      store: {
        stop: () => tellEvery("setMode", "throw", true),
        hang: () => tellEvery("setMode", "hang", true),
        resume: () => tellEvery("setMode", "normal", true),
        async restart({ keepData }) {
          if (!keepData) throw new Error("a Durable Object's storage cannot be lost (can.loseData is false)");
          await tellEvery("reset", undefined, false); // ctx.abort() ends the call that asked for it
        },
        async tamper() {
          throw new Error("a Durable Object's storage cannot be tampered with from outside (can.tamperStore is false)");
        },
      },
      stop,
    };
  },
};

/**
 * `isolates` Workers running `workersFolder`/isolate.js, each its own isolate, all
 * bound (as FLEET) to the Durable Object class `className` exported by
 * `workersFolder`/coordinator.js, a Worker of its own (the fleet bench starts its
 * own workers this way). `isolates[i].post(route, plan)` drives isolate i; `stop()` ends it all.
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
