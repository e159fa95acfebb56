// The package as installed from the packed tarball, and fleet coordinators in
// this process: the wasm binding's WasmFleetCoordinator (the core the
// Durable Object runs), one per breaker name, behind a FleetTransport that
// hands the JSON text over as a machine boundary would, when `deliver` says.
// The fleet classes are not a public export of the package, so the binding is
// loaded by path, with the wasm the tarball ships (as node/fleet-vectors.test.mjs does).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { consumerFolder, repoDir } from "../harness/packed.mjs";
import { optionNumbers } from "../shared/fleet-vectors.js";

const installed = join(consumerFolder(), "node_modules", "edgebreaker");

/** The package's main entry, as Node imports it. */
export const edgebreaker = await import(pathToFileURL(join(installed, "dist", "index.js")).href);

/** The coordinators' wasm binding (WasmFleetCoordinator), initialised. */
export const binding = await import(pathToFileURL(join(repoDir, "js", "wasm", "edgebreaker_fleet.js")).href);
binding.initSync({ module: readFileSync(join(installed, "dist", "wasm", "edgebreaker_fleet_bg.wasm")) });

/**
 * A FleetTransport to in-process coordinators. `now()` is the coordinators'
 * clock; `deliver(isolate, send)` runs `send` (the coordinator's work) and
 * resolves with its answer when the exchange is over: at once by default.
 * `coordinators` holds them by name, for a look at what they decided.
 */
export function inProcessFleet({ now = Date.now, deliver = (isolate, send) => Promise.resolve(send()), syncIntervalMs = 1000, timeoutMs = 500 } = {}) {
  const coordinators = new Map();
  const coordinator = (name, optionsJson) => {
    let found = coordinators.get(name);
    if (found === undefined) coordinators.set(name, (found = new binding.WasmFleetCoordinator(optionNumbers(JSON.parse(optionsJson)))));
    return found;
  };
  /** The transport of one isolate (`isolate` is handed to `deliver`). */
  const transport = (isolate) => ({
    syncIntervalMs,
    timeoutMs,
    sync: (name, optionsJson, reportJson) => deliver(isolate, () => coordinator(name, optionsJson).sync(reportJson, now()), "sync"),
    lease: (name, optionsJson) => deliver(isolate, () => coordinator(name, optionsJson).lease(now()), "lease"),
    settle: (name, optionsJson, leaseJson, outcome) => deliver(isolate, () => coordinator(name, optionsJson).settle(leaseJson, outcome, now()), "settle"),
  });
  return { coordinators, transport };
}
