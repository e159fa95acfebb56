// The fleet coordinators' wasm instance (edgebreaker_fleet_bg.wasm: the
// coordinator a Durable Object runs, and the decisions over a shared store's
// phase), created on first use. Only the fleet's entries import this file, so
// an application of breakers alone never loads that wasm.
//
// `#fleet-wasm-module` is chosen per runtime as core.ts's `#wasm-module` is.
import { initSync } from "../wasm/edgebreaker_fleet.js";
import { wasmModule } from "#fleet-wasm-module";

let initialised = false;

/** @internal Instantiates the coordinators' wasm, once per copy of its glue. */
export function initialiseFleetWasm(): void {
  if (!initialised) {
    initSync({ module: wasmModule() });
    initialised = true;
  }
}
