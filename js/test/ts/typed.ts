// Tests written in TypeScript, as users write it: `using` and standard
// decorators (compiled by tsc, since Node 20 has neither), and the package's
// types (this file must compile under `strict`; the @ts-expect-error lines
// must stay errors). Runtime-neutral: it exports its tests for a runner.
import {
  CircuitBreaker,
  CircuitBreakerError,
  State,
  circuitBreaker,
  clearCircuitBreakerRegistry,
  getCircuitBreaker,
  presets,
  protectFetch,
  type BreakerSnapshot,
  type BreakerStatus,
  type CircuitBreakerOptions,
  type StateChange,
  type TransitionCause,
  circuitBreakerFigures,
  FIGURES,
  type BreakerFigures,
} from "edgebreaker";
import { check } from "./check.js";
import { PROMETHEUS_CONTENT_TYPE, prometheusMetrics } from "edgebreaker/prometheus";

/** Whether `fn` throws: what the type checker's complaint would have been at run time. */
function throws(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}

let now = 0;
const clock = () => now;

// A decorated method's declared result must allow for the fallback's.
class Cached {
  @circuitBreaker({ fallback: () => null, clock })
  async lookup(id: number): Promise<{ id: number } | null> {
    return { id };
  }

  // @ts-expect-error: the fallback's null is not a Promise<{ id: number }>
  @circuitBreaker({ fallback: () => null, clock })
  async strict(id: number): Promise<{ id: number }> {
    return { id };
  }
}

class Client {
  calls = 0;
  constructor(readonly model: string) {}

  @circuitBreaker({ failureThreshold: 2, windowSize: 2, clock })
  async complete(prompt: string): Promise<string> {
    this.calls++;
    if (prompt === "fail") throw new Error("model down");
    return `${this.model}: ${prompt}`;
  }

  @circuitBreaker({ name: "typed-registry", clock })
  static async health(): Promise<"ok"> {
    return "ok";
  }
}

export const tests: { name: string; run: () => Promise<void> | void }[] = [
  {
    name: "`using` settles nothing by itself when the permit was settled",
    run() {
      const breaker = new CircuitBreaker({ clock });
      {
        using permit = breaker.acquire();
        permit.success();
      }
      const { metrics } = breaker.getStatus();
      check(metrics.successfulCalls === 1 && metrics.failedCalls === 0, JSON.stringify(metrics));
    },
  },
  {
    name: "`using` records a failure for a permit left unsettled, also when the block throws",
    run() {
      const breaker = new CircuitBreaker({ clock, failureThreshold: 2, windowSize: 2 });
      {
        using permit = breaker.acquire();
        void permit;
      }
      try {
        using permit = breaker.acquire();
        void permit;
        throw new Error("work failed before settling");
      } catch {
        // expected
      }
      check(breaker.getStatus().metrics.failedCalls === 2, "two failures");
      check(breaker.state === State.OPEN, `state ${breaker.state}`);
    },
  },
  {
    name: "a decorated method keeps `this`, and every instance shares the method's breaker",
    async run() {
      const a = new Client("m1");
      const b = new Client("m2");
      check((await a.complete("hi")) === "m1: hi", "value through the decorator");
      await a.complete("fail").catch(() => undefined);
      await b.complete("fail").catch(() => undefined);
      const refused = await b.complete("hi").catch((error: unknown) => error);
      check(refused instanceof CircuitBreakerError, "the shared breaker opened");
      check(a.calls === 2 && b.calls === 1, `calls ${a.calls} ${b.calls}`);
    },
  },
  {
    name: "a decorated static method with a name uses the registry",
    async run() {
      check((await Client.health()) === "ok", "static method value");
      check(getCircuitBreaker("typed-registry").getStatus().metrics.successfulCalls === 1, "counted in the registry's breaker");
      clearCircuitBreakerRegistry();
    },
  },
  {
    name: "the types: results, listeners, status and options",
    async run() {
      const breaker = new CircuitBreaker({ ...presets.llm, name: "typed", clock });
      const length: number = await breaker.call(async (text: string) => text.length, "four");
      const doubled: number = breaker.callSync((n: number) => n * 2, 21);
      const wrapped: (id: number) => Promise<string> = breaker.wrap(async (id: number) => `#${id}`);
      const heard: StateChange[] = [];
      breaker.addEventListener("statechange", (event) => heard.push(event.detail));
      breaker.forceOpen();
      const status: BreakerStatus = breaker.getStatus();
      const options: CircuitBreakerOptions = { failureThreshold: 1, isFailure: (error) => error instanceof TypeError };
      check(length === 4 && doubled === 42 && (await wrapped.call(undefined, 7).catch(() => "#7")) === "#7", "typed values");
      check(heard.length === 1 && heard[0]!.to === "open" && status.retryAfterMs === null, "typed event and status");
      const cause: TransitionCause = heard[0]!.cause;
      const openForMs: number | null | undefined = heard[0]!.openForMs;
      check(cause === "force_open" && openForMs === null && heard[0]!.failures === undefined, "typed cause and figures");
      // @ts-expect-error: causes are the core's names, snake_case like the states
      check(heard[0]!.cause !== "forceOpen", "no camelCase cause");
      check(new CircuitBreaker(options).getStatus().config.failureThreshold === 1, "typed options");
      // @ts-expect-error: an argument of the wrong type
      void breaker.call(async (text: string) => text, 5).catch(() => undefined);
      // @ts-expect-error: a misspelt option
      check((() => { try { new CircuitBreaker({ failureTreshold: 1 }); return false; } catch { return true; } })(), "refused");
      // @ts-expect-error: presets are read-only
      check((() => { try { presets.llm.windowSize = 3; return false; } catch { return true; } })(), "frozen");
    },
  },
  {
    name: "a call's result type includes the fallback's: `r.id` on a possible null does not compile",
    async run() {
      const breaker = new CircuitBreaker({ clock, fallback: () => null });
      breaker.forceOpen();
      const called = await breaker.call(async (id: number) => ({ id }), 1);
      const calledSync = breaker.callSync((id: number) => ({ id }), 1);
      const wrapped = await breaker.wrap(async (id: number) => ({ id }))(1);
      const typed: ({ id: number } | null)[] = [called, calledSync, wrapped];
      check(typed.every((value) => value === null), "the fallback answered each");
      // @ts-expect-error: `called` may be the fallback's null
      check(throws(() => called.id), "call: null at run time");
      // @ts-expect-error: `calledSync` may be the fallback's null
      check(throws(() => calledSync.id), "callSync: null at run time");
      // @ts-expect-error: `wrapped` may be the fallback's null
      check(throws(() => wrapped.id), "wrap: null at run time");
    },
  },
  {
    name: "the fallback's type reaches the registry, the decorator factory, fetch and a decorated method",
    async run() {
      const registered = await getCircuitBreaker("typed-fallback", { clock, fallback: () => "cached" as const }).call(async () => 5);
      const union: number | "cached" = registered;
      // @ts-expect-error: the registry's breaker may answer "cached", not a number
      const onlyNumber: number = registered;
      check(union === 5 && onlyNumber === 5, "the function answered");
      clearCircuitBreakerRegistry();

      const protect = circuitBreaker({ clock, fallback: async () => undefined });
      protect.breaker.forceOpen();
      const maybe = await protect(async () => "text")();
      // @ts-expect-error: `maybe` may be the fallback's undefined
      check(throws(() => maybe.length), "the factory's function: undefined at run time");

      const fetching = new CircuitBreaker({ clock, fallback: () => null });
      fetching.forceOpen();
      const response = await fetching.fetch("http://127.0.0.1:9/never-sent");
      // @ts-expect-error: `response` may be the fallback's null
      check(throws(() => response.status), "fetch: null at run time");

      const cached = new Cached();
      check((await cached.lookup(3))?.id === 3, "a decorated method that allows for null");
    },
  },
  {
    name: "without a fallback, or one that throws, results keep the function's type; protectFetch's fallback answers a Response",
    async run() {
      const plain: number = await new CircuitBreaker({ clock }).call(async () => 1);
      const rethrowing: number = await new CircuitBreaker({ clock, fallback: (error) => { throw error; } }).call(async () => 2);
      const asyncFallback: string = await new CircuitBreaker({ clock, fallback: async () => "cached" }).call(async () => "fresh");
      check(plain === 1 && rethrowing === 2 && asyncFallback === "fresh", "values");
      const proxied = protectFetch({ clock, fallback: () => new Response("cached") });
      check(typeof proxied === "function", "a fallback answering a Response");
      // @ts-expect-error: protectFetch is fetch-compatible, so its fallback must answer a Response
      check(typeof protectFetch({ clock, fallback: () => null }) === "function", "refused by the types only");
    },
  },
  {
    name: 'streamEnd takes "llm", a line predicate, false or null, and nothing else',
    async run() {
      new CircuitBreaker({ clock, streamEnd: "llm" });
      new CircuitBreaker({ clock, streamEnd: (line: string) => line === "event: done" });
      new CircuitBreaker({ clock, streamEnd: false });
      new CircuitBreaker({ clock, streamEnd: null });
      // @ts-expect-error: no such rule
      check(throws(() => new CircuitBreaker({ clock, streamEnd: "openai" })), "refused at run time too");
    },
  },
  {
    name: "a snapshot is typed, and restore keeps the fallback's type",
    async run() {
      const snapshot: BreakerSnapshot = new CircuitBreaker({ clock }).snapshot();
      const state: State = snapshot.state;
      const ago: number | null = snapshot.metrics.lastFailureAgoMs;
      const restored = CircuitBreaker.restore(snapshot, { clock, fallback: () => null });
      const result: string | null = await restored.call(async () => "fresh");
      check(state === "closed" && ago === null && result === "fresh", "values");
      CircuitBreaker.restore(JSON.stringify(snapshot), { clock });
      // @ts-expect-error: a snapshot is an object from snapshot() or its JSON text
      check(throws(() => CircuitBreaker.restore(5, { clock })), "refused at run time too");
    },
  },
  {
    name: "the flat figures and edgebreaker/prometheus are typed",
    run() {
      const breaker = new CircuitBreaker({ name: "typed-figures", clock });
      const figures: BreakerFigures = circuitBreakerFigures([breaker]);
      const state: State = figures.states[figures.figures[FIGURES.state]!]!;
      const cause: TransitionCause | undefined = figures.causes[0];
      const text: string = prometheusMetrics(new Set([breaker]));
      const contentType: string = PROMETHEUS_CONTENT_TYPE;
      check(state === "closed" && cause === "failure_threshold", "codes name states and causes");
      check(text.includes('edgebreaker_state{breaker="typed-figures",state="closed"} 1') && contentType.startsWith("text/plain"), text);
      // @ts-expect-error: breakers, not names
      check(throws(() => prometheusMetrics(["typed-figures"])), "refused at run time too");
    },
  },
];
