// A fuzz of the public API with random and hostile values, runtime-neutral
// (the package it is handed and the language, nothing else). Thousands of
// random operations on breakers whose clocks lie; after each one the breaker
// must still give a well-formed status, and at the end it must still behave
// exactly as the state machine says. A wasm trap would poison the instance for
// every later call, so "still answers correctly" is checked on the fuzzed
// breakers and on a fresh one.
//
//   for (const { name, run } of fuzzTests(edgebreaker, { iterations: 3000 })) await run();

/** Errors thrown by the hostile values themselves (getters, proxies, valueOf). */
class HostileError extends Error {}

const STATES = ["closed", "open", "half_open"];

/**
 * @param {typeof import("edgebreaker")} edgebreaker
 * @param {{ iterations?: number, seed?: number }} [options]
 * @returns {{ name: string, run: () => Promise<void> }[]}
 */
export function fuzzTests(edgebreaker, { iterations = 3000, seed = 0x5eed } = {}) {
  return [
    {
      name: `${iterations} random operations with hostile values leave every breaker answering correctly`,
      run: () => fuzz(edgebreaker, iterations, seed),
    },
  ];
}

async function fuzz(edgebreaker, iterations, seed) {
  const { CircuitBreaker, CircuitBreakerError, TimeoutError } = edgebreaker;
  const random = mulberry32(seed);
  const pick = (items) => items[Math.floor(random() * items.length)];
  const hostile = hostileValues();
  const anyValue = () => (random() < 0.5 ? pick(hostile) : pick(NUMBERS));

  // The clock each breaker reads: mostly sane, sometimes a lie.
  let time = 1_000;
  let sane = false;
  const clock = () => {
    if (sane) return time;
    const roll = random();
    if (roll < 0.75) return (time += Math.floor(random() * 50));
    if (roll < 0.85) return time - Math.floor(random() * 5_000); // backwards
    if (roll < 0.97) return pick(NUMBERS);
    if (roll < 0.99) return pick(hostile);
    throw new HostileError("clock");
  };
  const breakers = [
    new CircuitBreaker({ name: "fuzz-a", clock, failureThreshold: 2, windowSize: 4, resetTimeoutMs: 100, successThreshold: 1 }),
    new CircuitBreaker({ name: "fuzz-b", clock, failureThreshold: 3, windowSize: 8, resetTimeoutMs: 50, halfOpenMaxCalls: 2,
      failureRateThreshold: 0.5, minimumCalls: 4, windowMs: 400, slowCallMs: 30, maxResetTimeoutMs: 800, probeTimeoutMs: 60,
      isFailure: (error) => !(error instanceof RangeError), fallback: (error) => (random() < 0.5 ? "fallback" : Promise.reject(error)) }),
    new CircuitBreaker({ name: "fuzz-c", clock, timeoutMs: 1, onStateChange: () => {}, logger: { warn() {}, info() {}, debug() {} } }),
  ];
  let changesHeard = 0;
  for (const breaker of breakers) breaker.addEventListener("statechange", () => changesHeard++);
  const permits = [];
  const pending = [];

  // An error is expected when it is one of these; anything else (a wasm
  // RuntimeError above all) fails the fuzz.
  const expected = (error) =>
    error instanceof TypeError ||
    error instanceof RangeError ||
    error instanceof CircuitBreakerError ||
    error instanceof TimeoutError ||
    error instanceof HostileError ||
    error === UPSTREAM_ERROR ||
    error === "thrown string";
  const attempt = (operation, what) => {
    try {
      const result = operation();
      if (result && typeof result.then === "function") pending.push(Promise.resolve(result).catch((error) => check(expected(error), `${what} rejected with ${describeError(error)}`)));
    } catch (error) {
      check(expected(error), `${what} threw ${describeError(error)}`);
    }
  };

  const upstreams = [
    () => "value",
    async () => "async value",
    () => { throw UPSTREAM_ERROR; },
    async () => { throw UPSTREAM_ERROR; },
    () => { throw "thrown string"; },
    async () => { throw new RangeError("ignored by fuzz-b"); },
    () => new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 3))),
    () => ({ then: (resolve) => resolve("thenable") }),
    () => ({ then() { throw new HostileError("then"); } }),
    () => Object.defineProperty({}, "then", { get() { throw new HostileError("then getter"); } }),
    () => pick(hostile),
  ];

  for (let i = 0; i < iterations; i++) {
    const breaker = pick(breakers);
    const roll = random();
    if (roll < 0.2) attempt(() => permits.push(breaker.acquire()), "acquire");
    else if (roll < 0.35 && permits.length > 0) {
      const permit = permits.splice(Math.floor(random() * permits.length), 1)[0];
      const how = pick(["success", "failure", "ignore", "dispose", "failureWithError", "retryAfter", "hostileRetryAfter", "twice"]);
      attempt(() => {
        if (how === "success") permit.success();
        else if (how === "failure") permit.failure();
        else if (how === "ignore") permit.ignore();
        else if (how === "dispose") permit[Symbol.dispose]();
        else if (how === "failureWithError") permit.failure(anyValue());
        else if (how === "retryAfter") permit.failure(UPSTREAM_ERROR, { retryAfterMs: Math.floor(random() * 200) });
        else if (how === "hostileRetryAfter") permit.failure(UPSTREAM_ERROR, { retryAfterMs: anyValue() });
        else {
          permit.success();
          permit.failure();
        }
      }, `permit.${how}`);
    } else if (roll < 0.55) attempt(() => breaker.call(pick(upstreams), anyValue()), "call");
    else if (roll < 0.62) attempt(() => breaker.callSync(pick(upstreams)), "callSync");
    else if (roll < 0.65) attempt(() => breaker.wrap(pick(upstreams)).call(anyValue()), "wrap");
    else if (roll < 0.68) attempt(() => breaker.call(anyValue()), "call(not a function)");
    else if (roll < 0.72) attempt(() => breaker.forceOpen(random() < 0.5 ? Math.floor(random() * 300) : anyValue()), "forceOpen");
    else if (roll < 0.75) attempt(() => breaker.reset(), "reset");
    else if (roll < 0.8) attempt(() => STATES.includes(breaker.state) || fail(`state ${breaker.state}`), "state");
    else if (roll < 0.9) attempt(() => new CircuitBreaker(randomOptions(random, pick, anyValue, clock)), "new CircuitBreaker");
    else attempt(() => edgebreaker.getCircuitBreaker(random() < 0.7 ? `fuzz-${Math.floor(random() * 4)}` : anyValue(), randomOptions(random, pick, anyValue, clock)), "getCircuitBreaker");
    if (i % 50 === 0) await Promise.all(pending.splice(0));
    for (const b of breakers) checkStatus(b.getStatus(), `after operation ${i}`);
  }
  await Promise.all(pending.splice(0));
  await new Promise((resolve) => setTimeout(resolve, 10)); // let late upstreams and timeouts settle
  for (const permit of permits) permit.success();
  check(changesHeard > 0, "the fuzz made circuits change state");

  // Still correct: each fuzzed breaker, on a sane clock from here on, and a new one.
  sane = true;
  time = 2 ** 40; // later than any reading the clock lied with that a breaker accepted (at most 2^31)
  await stillCorrect(breakers[0], (ms) => (time += ms));
  let fresh = 0;
  const freshBreaker = new CircuitBreaker({ name: "fuzz-fresh", clock: () => fresh, failureThreshold: 2, windowSize: 4, resetTimeoutMs: 100, successThreshold: 1 });
  await stillCorrect(freshBreaker, (ms) => (fresh += ms));
  edgebreaker.clearCircuitBreakerRegistry();
}

/** fuzz-a's own configuration (failureThreshold 2 of 4, reset 100 ms, one probe closes) on a sane clock. */
async function stillCorrect(breaker, advance) {
  breaker.reset();
  const before = breaker.getStatus().metrics;
  check(breaker.state === "closed", `${breaker.name}: closed after reset`);
  check((await breaker.call(async () => 42)) === 42, `${breaker.name}: a call goes through`);
  breaker.acquire().failure();
  check(breaker.state === "closed", `${breaker.name}: one failure of two keeps it closed`);
  breaker.acquire().failure();
  check(breaker.state === "open", `${breaker.name}: two failures open it`);
  let refused;
  try {
    breaker.acquire();
  } catch (error) {
    refused = error;
  }
  check(refused?.retryAfterMs === 100 && refused?.state === "open", `${breaker.name}: refused for 100 ms, got ${describeError(refused)}`);
  advance(100);
  check(breaker.state === "half_open", `${breaker.name}: half-open after resetTimeoutMs: ${JSON.stringify(breaker.getStatus())}`);
  breaker.acquire().success();
  check(breaker.state === "closed", `${breaker.name}: a good probe closes it`);
  const after = breaker.getStatus().metrics;
  const delta = (key) => after[key] - before[key];
  check(delta("totalCalls") === 5 && delta("successfulCalls") === 2 && delta("failedCalls") === 2 && delta("blockedCalls") === 1,
    `${breaker.name}: counted exactly what happened: ${JSON.stringify({ before, after })}`);
}

function checkStatus(status, where) {
  check(typeof status === "object" && status !== null, `${where}: a status`);
  check(STATES.includes(status.state), `${where}: state ${status.state}`);
  const m = status.metrics;
  for (const key of ["totalCalls", "successfulCalls", "failedCalls", "blockedCalls", "ignoredCalls", "slowCalls", "inFlight", "stateChanges"]) {
    check(Number.isSafeInteger(m[key]) && m[key] >= 0, `${where}: ${key} is ${m[key]}`);
  }
  check(m.totalCalls === m.successfulCalls + m.failedCalls + m.blockedCalls + m.ignoredCalls + m.inFlight, `${where}: totalCalls adds up: ${JSON.stringify(m)}`);
  check(m.failureRate >= 0 && m.failureRate <= 1 && m.successRate >= 0 && m.successRate <= 1, `${where}: rates in [0, 1]`);
  check(status.retryAfterMs === null || (Number.isSafeInteger(status.retryAfterMs) && status.retryAfterMs >= 0), `${where}: retryAfterMs ${status.retryAfterMs}`);
  check(JSON.stringify(JSON.parse(JSON.stringify(status))) === JSON.stringify(status), `${where}: JSON-safe`);
}

const UPSTREAM_ERROR = new Error("upstream failed");
const NUMBERS = [0, -0, 1, 2, 3, 7, 10, 100, 4096, 4097, -1, 0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, 2 ** 64, 1e308, Number.MIN_VALUE, Number.EPSILON];
const OPTION_NAMES = ["name", "failureThreshold", "windowSize", "resetTimeoutMs", "successThreshold", "halfOpenMaxCalls", "failureRateThreshold",
  "minimumCalls", "windowMs", "slowCallMs", "maxResetTimeoutMs", "probeTimeoutMs", "timeoutMs", "clock", "isFailure", "fallback", "onStateChange", "logger"];

function randomOptions(random, pick, anyValue, clock) {
  const roll = random();
  if (roll < 0.05) return anyValue();
  const options = {};
  const count = Math.floor(random() * 4);
  for (let i = 0; i < count; i++) {
    const key = random() < 0.9 ? pick(OPTION_NAMES) : pick(["failureTreshold", "timeout", "__proto__", "constructor", ""]);
    options[key] = key === "clock" && random() < 0.5 ? clock : anyValue();
  }
  return options;
}

function hostileValues() {
  const throwing = () => { throw new HostileError("trap"); };
  const proxy = new Proxy({}, { get: throwing, has: throwing, ownKeys: throwing, getOwnPropertyDescriptor: throwing, getPrototypeOf: throwing });
  return [
    undefined, null, true, false, "", "5", "NaN", "x".repeat(10_000), Symbol("hostile"), 10n, -(2n ** 70n),
    {}, [], [1, 2], () => {}, function named() { return 1; }, new Date(NaN), /re/, new Error("an error value"),
    { valueOf: throwing, toString: throwing },
    Object.defineProperty({}, "retryAfterMs", { get: throwing, enumerable: true }),
    Object.defineProperty({}, "failureThreshold", { get: throwing, enumerable: true }),
    Object.create(null), Object.freeze({ failureThreshold: 1 }), proxy,
  ];
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function check(condition, what) {
  if (!condition) throw new Error(`fuzz: ${what}`);
}

function fail(what) {
  throw new Error(`fuzz: ${what}`);
}

function describeError(error) {
  try {
    return error instanceof Error ? `${error.constructor.name}: ${error.message}` : typeof error === "symbol" ? "a symbol" : String(error);
  } catch {
    return "an unprintable value";
  }
}
