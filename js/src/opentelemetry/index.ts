// "edgebreaker/opentelemetry": the breakers' metrics as OpenTelemetry
// observable instruments. `@opentelemetry/api` is an optional peer
// dependency: only this entry imports it, and the main entries know nothing of it.
export {
  instrumentCircuitBreakers,
  type CircuitBreakerInstrumentation,
  type CircuitBreakerInstrumentationOptions,
} from "./instrument.js";
