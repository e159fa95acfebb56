import type { CircuitBreakerError } from "../errors.js";

/**
 * The answer of a proxy whose circuit is open (`onOpen: "respond"`): 503 with
 * `Retry-After` in whole seconds (at least 1, so clients do not retry in a
 * tight loop; absent while forced open until reset) and a small JSON body in
 * the OpenAI error shape, which OpenAI-compatible clients already understand.
 * The body names neither the breaker nor the upstream: a public proxy should
 * not tell its clients where it forwards to.
 */
export function circuitOpenResponse(error: CircuitBreakerError): Response {
  const headers = new Headers({ "content-type": "application/json", "cache-control": "no-store" });
  if (error.retryAfterMs !== null) headers.set("retry-after", String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
  const body = {
    error: {
      message: "The upstream service is unavailable: its circuit breaker is open. Retry later.",
      type: "circuit_open",
      code: "circuit_open",
      retry_after_ms: error.retryAfterMs,
    },
  };
  return new Response(JSON.stringify(body), { status: 503, headers });
}
