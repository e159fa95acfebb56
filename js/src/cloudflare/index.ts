// "edgebreaker/cloudflare": a breaker fleet coordinated by a Durable Object.
// Only this entry imports "cloudflare:workers"; the main package knows a fleet
// by its FleetTransport interface alone.
export { FleetCoordinator } from "./coordinator.js";
export {
  durableObjectFleet,
  type DurableObjectFleetOptions,
  type FleetCoordinatorNamespace,
  type FleetCoordinatorStub,
} from "./transport.js";
export type { FleetTransport, FleetStatus } from "../fleet/transport.js";
