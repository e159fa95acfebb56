// The shared registry, the circuitBreaker() wrapper/decorator, and presets.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";
import {
  CircuitBreaker,
  CircuitBreakerError,
  circuitBreaker,
  clearCircuitBreakerRegistry,
  getCircuitBreaker,
  listCircuitBreakers,
  presets,
  removeCircuitBreaker,
  resetAllCircuitBreakers,
} from "edgebreaker";

beforeEach(() => clearCircuitBreakerRegistry());

describe("registry", () => {
  test("getCircuitBreaker creates once: the first options win", () => {
    const first = getCircuitBreaker("llm", { failureThreshold: 3 });
    const again = getCircuitBreaker("llm", { failureThreshold: 9 });
    assert.equal(again, first);
    assert.ok(first instanceof CircuitBreaker);
    assert.equal(first.name, "llm");
    assert.equal(first.getStatus().config.failureThreshold, 3);
  });

  test("the name argument overrides options.name", () => {
    assert.equal(getCircuitBreaker("real", { name: "other" }).name, "real");
  });

  test("listCircuitBreakers gives every status by name, JSON-safe", () => {
    getCircuitBreaker("a");
    getCircuitBreaker("b", { failureThreshold: 1, windowSize: 1 }).acquire().failure();
    const list = listCircuitBreakers();
    assert.deepEqual(Object.keys(list), ["a", "b"]);
    assert.equal(list.a.state, "closed");
    assert.equal(list.b.state, "open");
    assert.equal(list.b.name, "b");
    assert.deepEqual(JSON.parse(JSON.stringify(list)), list);
  });

  test("a breaker named __proto__ is listed as an own key", () => {
    getCircuitBreaker("__proto__");
    assert.ok(Object.hasOwn(listCircuitBreakers(), "__proto__"));
  });

  test("resetAllCircuitBreakers closes every one", () => {
    const a = getCircuitBreaker("a", { failureThreshold: 1, windowSize: 1 });
    const b = getCircuitBreaker("b");
    a.acquire().failure();
    b.forceOpen();
    resetAllCircuitBreakers();
    assert.deepEqual([a.state, b.state], ["closed", "closed"]);
  });

  test("removeCircuitBreaker forgets one; clearCircuitBreakerRegistry forgets all", () => {
    const a = getCircuitBreaker("a");
    getCircuitBreaker("b");
    assert.equal(removeCircuitBreaker("a"), true);
    assert.equal(removeCircuitBreaker("a"), false);
    assert.deepEqual(Object.keys(listCircuitBreakers()), ["b"]);
    assert.notEqual(getCircuitBreaker("a"), a, "a new breaker under the old name");
    clearCircuitBreakerRegistry();
    assert.deepEqual(listCircuitBreakers(), {});
  });

  test("bad names and options are refused", () => {
    assert.throws(() => getCircuitBreaker(5), TypeError);
    assert.throws(() => getCircuitBreaker("x", "options"), TypeError);
    assert.throws(() => getCircuitBreaker("y", { windowSize: 0 }), RangeError);
    assert.deepEqual(listCircuitBreakers(), {}, "nothing registered by a refused call");
  });
});

describe("circuitBreaker()", () => {
  test("as a wrapper factory: protects functions, keeping this and arguments", async () => {
    const protect = circuitBreaker({ failureThreshold: 1, windowSize: 1 });
    assert.ok(protect.breaker instanceof CircuitBreaker);
    const greet = protect(function (greeting) { return `${greeting}, ${this.name}`; });
    assert.equal(await greet.call({ name: "Ada" }, "Hello"), "Hello, Ada");
    const broken = protect(async () => { throw new Error("down"); });
    await broken().catch(() => {});
    await assert.rejects(greet.call({ name: "Ada" }, "Hi"), CircuitBreakerError);
  });

  test("with options.name, it uses the registry", () => {
    const protect = circuitBreaker({ name: "shared", failureThreshold: 2, windowSize: 2 });
    assert.equal(protect.breaker, getCircuitBreaker("shared"));
    assert.equal(circuitBreaker({ name: "shared" }).breaker, protect.breaker);
  });

  test("as a TC39 method decorator: what the runtime calls with (method, context)", async () => {
    const decorate = circuitBreaker({ failureThreshold: 1, windowSize: 1 });
    const method = async function complete(prompt) { return `${this.model}: ${prompt}`; };
    const replaced = decorate(method, { kind: "method", name: "complete", static: false, private: false, addInitializer() {} });
    const client = { model: "m1", complete: replaced };
    assert.equal(await client.complete("hi"), "m1: hi");
    assert.equal(decorate.breaker.getStatus().metrics.successfulCalls, 1);
  });

  test("refuses to decorate what is not a method", () => {
    const decorate = circuitBreaker();
    assert.throws(() => decorate(() => 1, { kind: "field", name: "x" }), TypeError);
    assert.throws(() => decorate("not a function"), TypeError);
  });

  test("refuses bad options when called, not later", () => {
    assert.throws(() => circuitBreaker({ failureThreshold: "3" }), TypeError);
    assert.throws(() => circuitBreaker({ name: 7 }), TypeError);
  });
});

describe("presets", () => {
  test("hold the values the README gives and are frozen", () => {
    assert.deepEqual(presets.llm, { failureThreshold: 3, resetTimeoutMs: 60_000, windowSize: 10, successThreshold: 2 });
    assert.deepEqual(presets.streaming, { failureThreshold: 5, resetTimeoutMs: 30_000, windowSize: 20, successThreshold: 3 });
    assert.deepEqual(presets.vectorDb, { failureThreshold: 2, resetTimeoutMs: 120_000, windowSize: 15, successThreshold: 2 });
    for (const preset of [presets, presets.llm, presets.streaming, presets.vectorDb]) assert.ok(Object.isFrozen(preset));
    assert.throws(() => { "use strict"; presets.llm.failureThreshold = 99; }, TypeError);
  });

  test("each builds a breaker, alone or spread with overrides", () => {
    for (const preset of Object.values(presets)) {
      const { config } = new CircuitBreaker(preset).getStatus();
      assert.equal(config.failureThreshold, preset.failureThreshold);
    }
    const breaker = new CircuitBreaker({ ...presets.llm, name: "openai", timeoutMs: 30_000 });
    assert.equal(breaker.getStatus().config.windowSize, 10);
  });
});
