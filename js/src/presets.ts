/**
 * Starting points by kind of upstream (the README's "Presets and fallbacks"), frozen. Spread one into
 * your options and override what you need:
 * `new CircuitBreaker({ ...presets.llm, name: "openai", timeoutMs: 30_000 })`.
 */
export const presets = Object.freeze({
  /** LLM completion APIs: slow, costly, rate-limited. Opens after 3 failures in 10, probes after a minute. */
  llm: Object.freeze({ failureThreshold: 3, resetTimeoutMs: 60_000, windowSize: 10, successThreshold: 2 } as const),
  /** Streaming services: more traffic, quicker recovery. Opens after 5 failures in 20, probes after 30 s, needs 3 good probes. */
  streaming: Object.freeze({ failureThreshold: 5, resetTimeoutMs: 30_000, windowSize: 20, successThreshold: 3 } as const),
  /** Vector databases: fail hard and recover slowly. Opens after 2 failures in 15, probes after 2 minutes. */
  vectorDb: Object.freeze({ failureThreshold: 2, resetTimeoutMs: 120_000, windowSize: 15, successThreshold: 2 } as const),
});
