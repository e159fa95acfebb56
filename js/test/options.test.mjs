// Bad options: a wrong type is a TypeError, a wrong range a RangeError, an
// unknown name is refused. Every message has one shape, "<option> must be
// <rule>; got <value>": it names the option, states the real range, and
// ends with the value as given (a number as it is, anything else by kind).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CircuitBreaker, getCircuitBreaker, protectFetch, clearCircuitBreakerRegistry } from "edgebreaker";

const NUMERIC = [
  "failureThreshold",
  "windowSize",
  "resetTimeoutMs",
  "successThreshold",
  "halfOpenMaxCalls",
  "failureRateThreshold",
  "minimumCalls",
  "windowMs",
  "slowCallMs",
  "maxResetTimeoutMs",
  "probeTimeoutMs",
  "timeoutMs",
  "firstByteTimeoutMs",
  "idleTimeoutMs",
  "maxRetryAfterMs",
];
const FUNCTIONS = ["clock", "isFailure", "fallback", "onStateChange", "isFailureResponse", "fetch"];
const EVERY_OPTION = ["name", ...NUMERIC, ...FUNCTIONS, "logger", "onOpen", "streamEnd"];

/** What a message says was given: a number or boolean as it is, anything else by kind. */
function given(value) {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return value === "" ? "an empty string" : "a string";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function label(value) {
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "function") return "a function";
  return JSON.stringify(value) ?? String(value);
}

/** `build()` throws ErrorClass with exactly "<option> must be <rule>; got <got>" (a RegExp `rule`, or any). */
function refused(build, ErrorClass, option, got, rule = /.+/) {
  assert.throws(build, (error) => {
    assert.equal(error.constructor, ErrorClass, String(error));
    const prefix = `${option} must be `;
    const suffix = `; got ${got}`;
    assert.ok(error.message.startsWith(prefix), `${JSON.stringify(error.message)} starts with ${JSON.stringify(prefix)}`);
    assert.ok(error.message.endsWith(suffix), `${JSON.stringify(error.message)} ends with ${JSON.stringify(suffix)}`);
    assert.match(error.message.slice(prefix.length, -suffix.length), rule);
    return true;
  });
}

describe("a wrong type throws TypeError naming the option and the kind given", () => {
  for (const option of NUMERIC) {
    for (const value of ["5", true, {}, [], 5n, Symbol("x"), () => 5]) {
      test(`${option}: ${label(value)}`, () => refused(() => new CircuitBreaker({ [option]: value }), TypeError, option, given(value)));
    }
  }
  for (const option of FUNCTIONS) {
    for (const value of [1, "5", {}, true]) {
      test(`${option}: ${label(value)}`, () => {
        refused(() => new CircuitBreaker({ [option]: value }), TypeError, option, given(value), /^a function$/);
      });
    }
  }
  for (const value of [1, {}, [], Symbol("x")]) {
    test(`name: ${label(value)}`, () => refused(() => new CircuitBreaker({ name: value }), TypeError, "name", given(value)));
  }
  for (const value of ["5", 1, () => {}]) {
    test(`logger: ${label(value)}`, () => refused(() => new CircuitBreaker({ logger: value }), TypeError, "logger", given(value)));
  }
  test("logger.warn that is not a function", () => {
    refused(() => new CircuitBreaker({ logger: { warn: "5" } }), TypeError, "logger.warn", "a string", /^a function$/);
  });
  test('onOpen: a string that is neither "throw" nor "respond" is quoted', () => {
    refused(() => new CircuitBreaker({ onOpen: "Respond" }), TypeError, "onOpen", '"Respond"');
  });
  test("protectFetch's key", () => refused(() => protectFetch({ key: "origin" }), TypeError, "key", "a string", /^a function$/));
  test("options that are not an object", () => {
    for (const options of [5, "fast", true]) {
      assert.throws(() => new CircuitBreaker(options), { name: "TypeError", message: `options must be an object; got ${given(options)}` });
    }
  });
  test("a string's contents never reach the message", () => {
    assert.throws(() => new CircuitBreaker({ failureThreshold: "sk-SECRET" }), (error) => !/SECRET/.test(error.message));
  });
});

describe("a wrong range throws RangeError stating the real range and the value given", () => {
  // The rule each message must state, where it is fixed; the rest must state some rule.
  const WHOLE_TIMER = /^a whole number of milliseconds from 1 to 2147483647$/;
  const WHOLE_DURATION = /^a whole number of milliseconds from 0 to 9007199254740991$/;
  const WHOLE_FROM_1 = /^a whole number of milliseconds from 1 to 9007199254740991$/;
  const cases = [
    ["failureThreshold", [0, -1, 2.5, 11, NaN, Infinity], /^an integer from 1 to windowSize \(10\)$/],
    ["windowSize", [0, -3, 1.5, 4097, 100_000, NaN, Infinity], /^an integer from 1 to 4096$/],
    ["resetTimeoutMs", [0, -1, 2.5, NaN, Infinity, -Infinity, 2 ** 53], WHOLE_FROM_1],
    ["successThreshold", [0, -1, 0.5, NaN], /^an integer from 1 to 4294967295$/],
    ["halfOpenMaxCalls", [0, 4097, 1.25, NaN], /^an integer from 1 to 4096$/],
    ["failureRateThreshold", [0, -0.5, 1.01, NaN, Infinity], /^a number greater than 0 and at most 1$/],
    ["minimumCalls", [0, 11, 2.5, NaN], /^an integer from 1 to windowSize \(10\)$/],
    ["windowMs", [0, -1, 0.5, NaN, Infinity], WHOLE_FROM_1],
    ["slowCallMs", [-5, 2.5, NaN, Infinity], WHOLE_DURATION],
    ["maxResetTimeoutMs", [-1, 1.5, NaN], /^a whole number of milliseconds from resetTimeoutMs \(60000\) to 9007199254740991$/],
    ["probeTimeoutMs", [0, -1, 2.5, NaN, Infinity], WHOLE_FROM_1],
    ["timeoutMs", [0, -1, 2.5, NaN, Infinity, 2 ** 31], WHOLE_TIMER],
    ["firstByteTimeoutMs", [0, -1, 0.5, NaN, 2 ** 31], WHOLE_TIMER],
    ["idleTimeoutMs", [0, -1, 1.5, Infinity], WHOLE_TIMER],
    ["maxRetryAfterMs", [-1, 2.5, NaN, 2 ** 53], WHOLE_DURATION],
  ];
  for (const [option, values, rule] of cases) {
    for (const value of values) {
      test(`${option}: ${value}`, () => refused(() => new CircuitBreaker({ [option]: value }), RangeError, option, String(value), rule));
    }
  }
  test("failureThreshold above a windowSize given with it", () => {
    refused(() => new CircuitBreaker({ windowSize: 3, failureThreshold: 4 }), RangeError, "failureThreshold", "4", /^an integer from 1 to windowSize \(3\)$/);
  });
  test("a default the core refuses (failureThreshold's 5 above a windowSize of 3) is named without a value, as none was given", () => {
    assert.throws(() => new CircuitBreaker({ windowSize: 3 }), { name: "RangeError", message: "failureThreshold must be an integer from 1 to windowSize (3)" });
  });
  test("every option is checked before the core checks its ranges: a wrong fetch option is named before a core value out of range", () => {
    refused(() => new CircuitBreaker({ failureThreshold: 0, idleTimeoutMs: 0 }), RangeError, "idleTimeoutMs", "0");
    refused(() => new CircuitBreaker({ windowSize: 0, onOpen: "Respond" }), TypeError, "onOpen", '"Respond"');
  });
  test("maxResetTimeoutMs below resetTimeoutMs", () => {
    refused(() => new CircuitBreaker({ maxResetTimeoutMs: 59_999 }), RangeError, "maxResetTimeoutMs", "59999", /resetTimeoutMs \(60000\)/);
  });
  test("name: empty", () => refused(() => new CircuitBreaker({ name: "" }), RangeError, "name", "an empty string", /^a non-empty string$/));
  test("forceOpen's durationMs and a permit's retryAfterMs: whole milliseconds, like the options", () => {
    const breaker = new CircuitBreaker();
    refused(() => breaker.forceOpen(2.5), RangeError, "durationMs", "2.5", WHOLE_DURATION);
    refused(() => breaker.forceOpen(-1), RangeError, "durationMs", "-1", WHOLE_DURATION);
    refused(() => breaker.forceOpen("5"), TypeError, "durationMs", "a string", WHOLE_DURATION);
    const permit = breaker.acquire();
    refused(() => permit.failure(new Error("x"), { retryAfterMs: 0.5 }), RangeError, "retryAfterMs", "0.5", WHOLE_DURATION);
    refused(() => permit.failure(new Error("x"), { retryAfterMs: "5" }), TypeError, "retryAfterMs", "a string", WHOLE_DURATION);
    assert.equal(permit.settled, false, "a refused settle changes nothing");
    assert.equal(breaker.state, "closed");
  });
  test("a clock reading the breaker cannot use, in the same shape", () => {
    for (const [reading, got] of [[-1, "-1"], [NaN, "NaN"], ["1000", "a string"], [undefined, "undefined"]]) {
      const breaker = new CircuitBreaker({ clock: () => reading });
      breaker.forceOpen(); // an open circuit reads the clock to admit
      assert.throws(() => breaker.acquire(), {
        name: "RangeError",
        message: `clock must return a number of milliseconds from 0 to 9007199254740991; got ${got}`,
      });
    }
  });
});

describe("unknown options", () => {
  const unknown = (options, message, build = (o) => new CircuitBreaker(o)) =>
    assert.throws(() => build(options), { name: "TypeError", message });

  test("a misspelt option gets the one valid name it most likely meant", () => {
    unknown({ failureTreshold: 3 }, 'unknown option "failureTreshold"; did you mean "failureThreshold"?');
    unknown({ resetTimeout: 3 }, 'unknown option "resetTimeout"; did you mean "resetTimeoutMs"?');
    unknown({ onstatechange: () => {} }, 'unknown option "onstatechange"; did you mean "onStateChange"?');
    unknown({ fristByteTimeoutMs: 5 }, 'unknown option "fristByteTimeoutMs"; did you mean "firstByteTimeoutMs"?');
    unknown({ timeout: 3000 }, 'unknown option "timeout"; did you mean "timeoutMs"?');
    unknown({ Name: "a" }, 'unknown option "Name"; did you mean "name"?');
  });
  test("an option of another library, close to none of ours, is refused without a guess", () => {
    unknown({ errorThresholdPercentage: 50 }, 'unknown option "errorThresholdPercentage"');
    unknown({ volumeThreshold: 5 }, 'unknown option "volumeThreshold"');
  });
  test("protectFetch's key: suggested there, and named as protectFetch's own elsewhere", () => {
    unknown({ kye: () => "a" }, 'unknown option "kye"; did you mean "key"?', protectFetch);
    unknown({ key: () => "a" }, 'unknown option "key": only protectFetch takes it');
    unknown({ key: () => "a" }, 'unknown option "key": only protectFetch takes it', (o) => getCircuitBreaker("options-key", o));
  });
});

describe("what is accepted", () => {
  test("no options, undefined, null and {} give the defaults", () => {
    for (const options of [undefined, {}, null]) {
      const { config } = new CircuitBreaker(options).getStatus();
      assert.deepEqual(config, {
        failureThreshold: 5,
        windowSize: 10,
        resetTimeoutMs: 60_000,
        successThreshold: 2,
        halfOpenMaxCalls: 1,
        failureRateThreshold: null,
        minimumCalls: 10,
        windowMs: null,
        slowCallMs: null,
        maxResetTimeoutMs: 60_000,
        probeTimeoutMs: 60_000,
      });
    }
  });
  for (const unset of [undefined, null]) {
    test(`${unset} means "not set" for every option: the default, or off`, async () => {
      const breaker = new CircuitBreaker(Object.fromEntries(EVERY_OPTION.map((option) => [option, unset])));
      assert.equal(breaker.getStatus().config.failureThreshold, 5);
      assert.match(breaker.name, /^breaker-\d+$/);
      breaker.forceOpen(unset);
      assert.equal(breaker.getStatus().retryAfterMs, null, "no duration: open until reset");
      await assert.rejects(breaker.call(() => 1), { name: "CircuitBreakerError" }, "no fallback");
      breaker.reset();
      breaker.acquire().failure(new Error("x"), { retryAfterMs: unset });
      assert.equal(breaker.state, "closed", "no Retry-After");
      const protectedFetch = protectFetch({ ...Object.fromEntries(EVERY_OPTION.map((option) => [option, unset])), key: unset });
      assert.equal(typeof protectedFetch, "function");
      assert.equal(typeof protectFetch(unset), "function");
      assert.equal(getCircuitBreaker("options-unset", unset).state, "closed");
      clearCircuitBreakerRegistry();
    });
  }
  test("a logger method set to null is no method", () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1, windowSize: 1, logger: { warn: null, info: undefined } });
    breaker.acquire().failure();
    assert.equal(breaker.state, "open");
  });
  test("a status's config builds the same breaker (its null settings are off)", () => {
    const first = new CircuitBreaker({ failureThreshold: 2, windowSize: 4, slowCallMs: 300, timeoutMs: null });
    const second = new CircuitBreaker(first.getStatus().config);
    assert.deepEqual(second.getStatus().config, first.getStatus().config);
  });
  test("the largest window (4096) and the bounds of each range are accepted", () => {
    const breaker = new CircuitBreaker({
      windowSize: 4096,
      failureThreshold: 4096,
      minimumCalls: 1,
      failureRateThreshold: 1,
      halfOpenMaxCalls: 4096,
      windowMs: 1,
      probeTimeoutMs: 1,
      timeoutMs: 2 ** 31 - 1,
      firstByteTimeoutMs: 1,
      maxRetryAfterMs: 0,
    });
    assert.equal(breaker.getStatus().config.windowSize, 4096);
  });
  test("options are read once: changing the object later changes nothing", () => {
    const options = { failureThreshold: 1, windowSize: 1 };
    const breaker = new CircuitBreaker(options);
    options.failureThreshold = 7;
    assert.equal(breaker.getStatus().config.failureThreshold, 1);
  });
});
