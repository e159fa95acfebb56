// How a protected call runs (`call`, `callSync`, `wrap`): admitted or
// refused, run, raced against `timeoutMs`, and its outcome recorded once.
// `refusal` is the one place a refused call is answered: `breaker.fetch` asks
// it too, once its own `onOpen: "respond"` has had its say.
import { notAFunction } from "./checks.js";
import { AWAIT_LEASE, FAILURE, SUCCESS, UNKNOWN_TIME, type Engine, type Outcome } from "./engine.js";
import { CircuitBreakerError, TimeoutError } from "./errors.js";
import { Settlement } from "./settlement.js";

/** The `fallback` option: the answer to a refused or failed call, given the error and the call's arguments. */
export type Fallback = (error: unknown, ...args: any[]) => unknown;

/**
 * A call the circuit refused (`error`, from `Engine.admit`): the fallback's
 * value for a `CircuitBreakerError` when there is a fallback; otherwise the
 * error, thrown again.
 */
export function refusal(error: unknown, fallback: Fallback | undefined, args: unknown[]): unknown {
  if (error instanceof CircuitBreakerError && fallback !== undefined) return fallback(error, ...args);
  throw error;
}

export class CallRunner {
  readonly #engine: Engine;
  readonly #timeoutMs: number | undefined;
  readonly #fallback: Fallback | undefined;

  constructor(engine: Engine, timeoutMs: number | undefined, fallback: Fallback | undefined) {
    this.#engine = engine;
    this.#timeoutMs = timeoutMs;
    this.#fallback = fallback;
  }

  /** The path of `call` and `wrap`: admit, run, settle; a Promise always. */
  run(fn: Function, thisArg: unknown, args: unknown[]): Promise<any> {
    if (typeof fn !== "function") return Promise.reject(notAFunction("fn", fn));
    const engine = this.#engine;
    let token: number;
    try {
      token = engine.admit(true);
    } catch (error) {
      return this.#refused(error, args);
    }
    if (FLEETS && token === AWAIT_LEASE) return this.#runLeased(fn, thisArg, args);
    return this.#runAdmitted(fn, thisArg, args, token, engine.acquiredAt);
  }

  // The paths a call rarely takes make their closures in methods of their own:
  // a variable that a closure captures would cost `run` and `#runAdmitted` an
  // allocation on every call, taken or not.

  /** A refused call, answered as a promise. */
  #refused(error: unknown, args: unknown[]): Promise<any> {
    return promised(() => refusal(error, this.#fallback, args));
  }

  /** A half-open fleet: the call waits for its probe lease (one round trip). */
  #runLeased(fn: Function, thisArg: unknown, args: unknown[]): Promise<any> {
    const fleet = this.#engine.fleet!;
    return fleet.admitLeased().then(
      (leased) => this.#runAdmitted(fn, thisArg, args, leased, fleet.acquiredAt(leased)),
      (error: unknown) => refusal(error, this.#fallback, args),
    );
  }

  /** `run` once admitted: run, settle; a Promise always. */
  #runAdmitted(fn: Function, thisArg: unknown, args: unknown[], token: number, acquiredAt: number): Promise<any> {
    const engine = this.#engine;
    let result: unknown;
    try {
      result = fn.apply(thisArg, args);
    } catch (error) {
      return this.#threw(token, acquiredAt, error, args);
    }
    if (result instanceof Promise && this.#timeoutMs === undefined && this.#fallback === undefined) {
      // The common case, kept lean: the caller gets fn's own promise, and our
      // handlers, registered on it before the caller can register any, record
      // the outcome before the caller sees it, without a promise in between.
      // Promise's own `then` calls one handler once, so a pair of handlers can
      // be used again; any other `then` (a subclass's, an own property, a
      // patched prototype) gets a pair of its own.
      if (result.then === nativeThen) {
        (idleHandlers.pop() ?? new OutcomeHandlers()).watch(result, engine, token, acquiredAt);
      } else {
        this.#watchOnce(result, token, acquiredAt);
      }
      return result;
    }
    try {
      return Promise.resolve(this.#settle(result, token, acquiredAt, args));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The path of `callSync` (`fn` checked already): its result or the fallback's, or throws. */
  runSync(fn: Function, args: unknown[]): unknown {
    const engine = this.#engine;
    let token: number;
    try {
      token = engine.admit();
    } catch (error) {
      return refusal(error, this.#fallback, args);
    }
    const acquiredAt = engine.acquiredAt;
    let result: unknown;
    try {
      result = fn(...args);
    } catch (error) {
      return this.#failed(token, acquiredAt, error, args);
    }
    return this.#settle(result, token, acquiredAt, args);
  }

  /** A value `fn` returned: a thenable is waited for; anything else is a success now. */
  #settle(result: unknown, token: number, acquiredAt: number, args: unknown[]): unknown {
    let then: unknown;
    if ((typeof result === "object" && result !== null) || typeof result === "function") {
      try {
        then = (result as { then?: unknown }).then;
      } catch (error) {
        return this.#failed(token, acquiredAt, error, args);
      }
    }
    if (typeof then === "function") {
      const promise = Promise.resolve(result);
      return this.#timeoutMs === undefined ? this.#awaitOutcome(promise, token, acquiredAt, args) : this.#within(promise, token, acquiredAt, args);
    }
    this.#engine.record(token, acquiredAt, SUCCESS);
    return result;
  }

  #awaitOutcome(promise: Promise<unknown>, token: number, acquiredAt: number, args: unknown[]): Promise<unknown> {
    return promise.then(
      (value: unknown) => {
        this.#engine.record(token, acquiredAt, SUCCESS);
        return value;
      },
      (error: unknown) => this.#failed(token, acquiredAt, error, args),
    );
  }

  /** `#awaitOutcome` with `timeoutMs`: whichever comes first settles the permit; the other is dropped. */
  #within(promise: Promise<unknown>, token: number, acquiredAt: number, args: unknown[]): Promise<unknown> {
    const timeoutMs = this.#timeoutMs!;
    const permit = new Settlement(this.#engine, token, acquiredAt);
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => unknown): void => {
        try {
          resolve(outcome());
        } catch (error) {
          reject(error);
        }
      };
      const timer = setTimeout(() => {
        if (permit.settled) return;
        permit.record(FAILURE);
        finish(() => this.#answerFailure(FAILURE, new TimeoutError(this.#engine.name, timeoutMs), args));
      }, timeoutMs);
      promise.then(
        (value) => {
          if (permit.settled) return;
          clearTimeout(timer);
          permit.record(SUCCESS);
          resolve(value);
        },
        (error: unknown) => {
          if (permit.settled) return;
          clearTimeout(timer);
          finish(() => {
            const outcome = this.#engine.judge(error);
            permit.record(outcome);
            return this.#answerFailure(outcome, error, args);
          });
        },
      );
    });
  }

  /** Records the outcome of `promise` (whose `then` is not Promise's own) once, whatever its `then` calls, with handlers made for it alone. */
  #watchOnce(promise: Promise<unknown>, token: number, acquiredAt: number): void {
    const engine = this.#engine;
    let recorded = false;
    const record = (outcome: () => Outcome): void => {
      if (recorded) return;
      recorded = true;
      engine.record(token, acquiredAt, outcome());
    };
    promise.then(
      () => record(() => SUCCESS),
      (error: unknown) => record(() => engine.judge(error)),
    );
  }

  /** A call that threw, answered as a promise. */
  #threw(token: number, acquiredAt: number, error: unknown, args: unknown[]): Promise<any> {
    return promised(() => this.#failed(token, acquiredAt, error, args));
  }

  /** A call that threw: recorded as `isFailure` judges it, then answered. */
  #failed(token: number, acquiredAt: number, error: unknown, args: unknown[]): unknown {
    const outcome = this.#engine.judge(error);
    this.#engine.record(token, acquiredAt, outcome);
    return this.#answerFailure(outcome, error, args);
  }

  /** A failed call's answer: the fallback's value for a failure, when there is a fallback; otherwise the error, thrown. */
  #answerFailure(outcome: Outcome, error: unknown, args: unknown[]): unknown {
    if (outcome === FAILURE && this.#fallback !== undefined) return this.#fallback(error, ...args);
    throw error;
  }
}

/** `Promise.prototype.then` as this module found it. */
const nativeThen = Promise.prototype.then;
/** Handler pairs whose promise has called one of them, for the next lean calls of any breaker. */
const idleHandlers: OutcomeHandlers[] = [];
/** Enough for the calls usually in flight at once; beyond, a pair is left to the garbage collector. */
const MAX_IDLE_HANDLERS = 16;

/**
 * The two handlers a lean call registers on fn's promise, holding its permit
 * until the promise calls one of them (once). The pair is then idle, and a
 * later call takes it again: a call allocates no closure, which saves about
 * 7% of its overhead (js/bench, Node 20). A pair serves one call in flight at
 * a time, and a handler called again after it fired records nothing. Only
 * promises with Promise's own `then` get one: it calls one handler, once.
 */
class OutcomeHandlers {
  #engine: Engine | undefined;
  #token = 0;
  #acquiredAt = UNKNOWN_TIME;

  readonly fulfilled = (): void => {
    const engine = this.#engine;
    if (engine === undefined) return;
    const token = this.#token;
    const acquiredAt = this.#acquiredAt;
    this.#release(); // first, so that a call a state change listener makes may take the pair
    engine.record(token, acquiredAt, SUCCESS);
  };

  readonly rejected = (error: unknown): void => {
    const engine = this.#engine;
    if (engine === undefined) return;
    const token = this.#token;
    const acquiredAt = this.#acquiredAt;
    this.#release(); // first, so that a call isFailure or a listener makes may take the pair
    engine.record(token, acquiredAt, engine.judge(error));
  };

  watch(promise: Promise<unknown>, engine: Engine, token: number, acquiredAt: number): void {
    this.#engine = engine;
    this.#token = token;
    this.#acquiredAt = acquiredAt;
    promise.then(this.fulfilled, this.rejected);
  }

  #release(): void {
    this.#engine = undefined;
    if (idleHandlers.length < MAX_IDLE_HANDLERS) idleHandlers.push(this);
  }
}

/** `answer()`'s value as a promise, or its error as a rejection. */
function promised(answer: () => unknown): Promise<any> {
  try {
    return Promise.resolve(answer());
  } catch (error) {
    return Promise.reject(error);
  }
}
