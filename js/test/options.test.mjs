// Bad options: a wrong type is a TypeError, a wrong range a RangeError, an
// unknown name is refused; every message names the option.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CircuitBreaker } from "edgebreaker";

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
];
const FUNCTIONS = ["clock", "isFailure", "fallback", "onStateChange"];
const EVERY_OPTION = ["name", ...NUMERIC, ...FUNCTIONS, "logger"];

function refused(options, ErrorClass, option) {
  assert.throws(
    () => new CircuitBreaker(options),
    (error) => {
      assert.equal(error.constructor, ErrorClass, `${JSON.stringify(Object.keys(options))}: ${error}`);
      assert.match(error.message, new RegExp(`\\b${option}\\b`), `message names ${option}`);
      return true;
    },
  );
}

describe("a wrong type throws TypeError naming the option", () => {
  for (const option of NUMERIC) {
    for (const value of ["5", true, {}, [], 5n, Symbol("x"), () => 5]) {
      test(`${option}: ${typeof value === "symbol" ? "a symbol" : typeof value === "bigint" ? "a bigint" : JSON.stringify(value) ?? "a function"}`, () => {
        refused({ [option]: value }, TypeError, option);
      });
    }
  }
  for (const option of FUNCTIONS) {
    for (const value of [1, "Date.now", {}, null, true]) {
      test(`${option}: ${JSON.stringify(value)}`, () => refused({ [option]: value }, TypeError, option));
    }
  }
  for (const value of [1, {}, [], null, Symbol("x")]) {
    test(`name: ${typeof value === "symbol" ? "a symbol" : JSON.stringify(value)}`, () => refused({ name: value }, TypeError, "name"));
  }
  for (const value of ["console", 1, null, () => {}]) {
    test(`logger: ${typeof value === "function" ? "a function" : JSON.stringify(value)}`, () => refused({ logger: value }, TypeError, "logger"));
  }
  test("logger.warn that is not a function", () => refused({ logger: { warn: "loud" } }, TypeError, "logger.warn"));
  test("null for an option that always has a value", () => refused({ failureThreshold: null }, TypeError, "failureThreshold"));
  test("options that are not an object", () => {
    for (const options of [5, "fast", true]) {
      assert.throws(() => new CircuitBreaker(options), TypeError);
    }
  });
});

describe("a wrong range throws RangeError naming the option", () => {
  const cases = [
    ["failureThreshold", [0, -1, 2.5, 11, NaN, Infinity]],
    ["windowSize", [0, -3, 1.5, 4097, 100_000, NaN, Infinity]],
    ["resetTimeoutMs", [-1, NaN, Infinity, -Infinity, 2 ** 53]],
    ["successThreshold", [0, -1, 0.5, NaN]],
    ["halfOpenMaxCalls", [0, 4097, 1.25, NaN]],
    ["failureRateThreshold", [0, -0.5, 1.01, NaN, Infinity]],
    ["minimumCalls", [0, 11, 2.5, NaN]],
    ["windowMs", [-1, NaN, Infinity]],
    ["slowCallMs", [-5, NaN, Infinity]],
    ["maxResetTimeoutMs", [-1, NaN, 59_999]],
    ["probeTimeoutMs", [-1, NaN, Infinity]],
    ["timeoutMs", [0, -1, NaN, Infinity, 2 ** 31]],
  ];
  for (const [option, values] of cases) {
    for (const value of values) {
      test(`${option}: ${value}`, () => refused({ [option]: value }, RangeError, option));
    }
  }
  test("name: empty", () => refused({ name: "" }, RangeError, "name"));
  test("failureThreshold above a windowSize given with it", () => {
    refused({ windowSize: 3, failureThreshold: 4 }, RangeError, "failureThreshold");
  });
});

describe("unknown options", () => {
  test("a misspelt option is refused, and the message lists every valid name", () => {
    assert.throws(
      () => new CircuitBreaker({ failureTreshold: 3 }),
      (error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /failureTreshold/);
        for (const option of EVERY_OPTION) assert.ok(error.message.includes(option), `lists ${option}`);
        return true;
      },
    );
  });
  test("an option of another library is refused rather than ignored", () => {
    refused({ timeout: 3000 }, TypeError, "timeout");
    refused({ errorThresholdPercentage: 50 }, TypeError, "errorThresholdPercentage");
  });
});

describe("what is accepted", () => {
  test("no options, undefined and {} give the defaults of DESIGN §2", () => {
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
  test("undefined means the default for every option", () => {
    const options = Object.fromEntries(EVERY_OPTION.map((option) => [option, undefined]));
    assert.equal(new CircuitBreaker(options).getStatus().config.failureThreshold, 5);
  });
  test("null turns an optional setting off, so a status's config builds the same breaker", () => {
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
      resetTimeoutMs: 0,
      timeoutMs: 2 ** 31 - 1,
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
