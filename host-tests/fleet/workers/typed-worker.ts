// A Workers project's use of both entries, type-checked (never run) against the
// published declarations and @cloudflare/workers-types by fleet.test.mjs.
import { getCircuitBreaker, presets, type FleetStatus } from "edgebreaker";
import { FleetCoordinator, durableObjectFleet } from "edgebreaker/cloudflare";

export { FleetCoordinator };

interface Env {
  BREAKER_FLEET: DurableObjectNamespace<FleetCoordinator>;
}

export class LoggingCoordinator extends FleetCoordinator {
  override sync(name: string, optionsJson: string, reportJson: string): string {
    return super.sync(name, optionsJson, reportJson);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const breaker = getCircuitBreaker("llm", { ...presets.llm, fleet: durableObjectFleet(env.BREAKER_FLEET, { syncIntervalMs: 1000 }) });
    const fleet: FleetStatus | null = breaker.getStatus().fleet;
    // @ts-expect-error: a misspelt option is a type error, proving the types are real and not `any`
    durableObjectFleet(env.BREAKER_FLEET, { syncIntervalMS: 5 });
    return fleet === null ? new Response("no fleet") : breaker.fetch("https://api.example.com/", request);
  },
} satisfies ExportedHandler<Env>;
