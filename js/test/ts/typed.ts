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
  type BreakerStatus,
  type CircuitBreakerOptions,
  type StateChange,
} from "edgebreaker";

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

let now = 0;
const clock = () => now;

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
      check(new CircuitBreaker(options).getStatus().config.failureThreshold === 1, "typed options");
      // @ts-expect-error: an argument of the wrong type
      void breaker.call(async (text: string) => text, 5).catch(() => undefined);
      // @ts-expect-error: a misspelt option
      check((() => { try { new CircuitBreaker({ failureTreshold: 1 }); return false; } catch { return true; } })(), "refused");
      // @ts-expect-error: presets are read-only
      check((() => { try { presets.llm.windowSize = 3; return false; } catch { return true; } })(), "frozen");
    },
  },
];
