// Smoke tests of the public API (the README's), runtime-neutral: they use nothing
// but the package itself and the language, so Node, Deno, workerd and Chromium
// run the same file. The package arrives as an argument, imported by each
// runtime's own entry from the installed tarball.

import { check, checkEqual, rejectionOf } from "./check.js";

/** @param {typeof import("edgebreaker")} edgebreaker */
export function smokeTests(edgebreaker) {
  const { CircuitBreaker, CircuitBreakerError, State } = edgebreaker;
  return [
    {
      name: "call runs an async function with its arguments and resolves with its value",
      async run() {
        const breaker = new CircuitBreaker();
        const sum = await breaker.call(async (a, b) => {
          await Promise.resolve();
          return a + b;
        }, 2, 3);
        checkEqual(sum, 5, "resolved value");
        const upstreamError = new Error("upstream down");
        const rejection = await rejectionOf(breaker.call(async () => { throw upstreamError; }));
        check(rejection === upstreamError, "call rejects with the function's own error");
        checkEqual(breaker.getStatus().metrics.successfulCalls, 1, "successfulCalls");
        checkEqual(breaker.getStatus().metrics.failedCalls, 1, "failedCalls");
      },
    },
    {
      name: "closed → open → half_open → closed under a fake clock",
      async run() {
        let now = 1_000;
        const breaker = new CircuitBreaker({
          clock: () => now,
          failureThreshold: 2,
          windowSize: 4,
          resetTimeoutMs: 500,
          successThreshold: 1,
        });
        const changes = [];
        breaker.addEventListener("statechange", (event) => {
          const { from, to, at, cause } = event.detail;
          changes.push({ from, to, at, cause });
        });
        const fail = async () => { throw new Error("boom"); };
        checkEqual(breaker.state, State.CLOSED, "initial state");
        await rejectionOf(breaker.call(fail));
        now += 10;
        await rejectionOf(breaker.call(fail));
        checkEqual(breaker.state, "open", "after two failures");

        now += 100;
        const blocked = await rejectionOf(breaker.call(async () => "never runs"));
        check(blocked instanceof CircuitBreakerError, "a blocked call rejects with CircuitBreakerError");
        checkEqual(blocked.name, "CircuitBreakerError", "error name");
        checkEqual(blocked.state, "open", "error state");
        checkEqual(blocked.retryAfterMs, 400, "error retryAfterMs");

        now += 400;
        checkEqual(breaker.state, "half_open", "once resetTimeoutMs has passed");
        checkEqual(await breaker.call(async () => "probe ok"), "probe ok", "probe result");
        checkEqual(breaker.state, "closed", "after a successful probe");
        checkEqual(changes, [
          { from: "closed", to: "open", at: 1_010, cause: "failure_threshold" },
          { from: "open", to: "half_open", at: 1_510, cause: "open_time_elapsed" },
          { from: "half_open", to: "closed", at: 1_510, cause: "probes_succeeded" },
        ], "statechange events");
      },
    },
    {
      name: "the registry shares breakers by name, lists, resets and removes them",
      async run() {
        const {
          getCircuitBreaker, listCircuitBreakers, resetAllCircuitBreakers,
          removeCircuitBreaker, clearCircuitBreakerRegistry,
        } = edgebreaker;
        clearCircuitBreakerRegistry();
        const first = getCircuitBreaker("payments", { failureThreshold: 1 });
        const again = getCircuitBreaker("payments", { failureThreshold: 9 });
        check(first === again, "the same name gives the same breaker");
        checkEqual(first.name, "payments", "name");
        checkEqual(first.getStatus().config.failureThreshold, 1, "the first options win");
        getCircuitBreaker("search");
        checkEqual(Object.keys(listCircuitBreakers()).sort(), ["payments", "search"], "listed names");
        await rejectionOf(first.call(async () => { throw new Error("down"); }));
        checkEqual(listCircuitBreakers().payments.state, "open", "listed status");
        resetAllCircuitBreakers();
        checkEqual(first.state, "closed", "after resetAllCircuitBreakers");
        removeCircuitBreaker("payments");
        checkEqual(Object.keys(listCircuitBreakers()), ["search"], "after removeCircuitBreaker");
        check(getCircuitBreaker("payments") !== first, "a removed name makes a new breaker");
        clearCircuitBreakerRegistry();
        checkEqual(Object.keys(listCircuitBreakers()), [], "after clearCircuitBreakerRegistry");
      },
    },
    {
      name: "status is plain JSON: it survives a JSON round trip unchanged",
      async run() {
        let now = 0;
        const breaker = new CircuitBreaker({ name: "json", clock: () => now, failureThreshold: 1 });
        await breaker.call(async () => "ok");
        now = 5;
        await rejectionOf(breaker.call(async () => { throw new Error("down"); }));
        const status = breaker.getStatus();
        checkEqual(JSON.parse(JSON.stringify(status)), status, "round trip");
        checkEqual(Object.keys(status).sort(), ["config", "fleet", "metrics", "name", "retryAfterMs", "state"], "keys");
        checkEqual(status.fleet, null, "fleet (no fleet option)");
        checkEqual(status.name, "json", "name");
        checkEqual(status.state, "open", "state");
        checkEqual(status.retryAfterMs, 60_000, "retryAfterMs");
        checkEqual(status.metrics.totalCalls, 2, "totalCalls");
        checkEqual(status.metrics.lastFailureTime, 5, "lastFailureTime");
        checkEqual(status.metrics.failureRate, 0.5, "failureRate");
      },
    },
  ];
}
