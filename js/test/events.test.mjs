// "statechange" events, onStateChange and the logger; a hook that throws is
// reported with console.error and never ends the process.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { CircuitBreaker, StateChangeEvent } from "edgebreaker";
import { breakerAt, fail, recordChanges } from "./helpers.mjs";
import { throwingHooksProblems, throwingHooksProgram } from "../shared/throwing-hooks.js";

describe("statechange events", () => {
  test("closed -> open -> half_open -> closed, each at the time it fell due, with the core's cause", () => {
    const { breaker, clock } = breakerAt({ name: "api", failureThreshold: 2, windowSize: 4, resetTimeoutMs: 500, successThreshold: 1 });
    const events = [];
    breaker.addEventListener("statechange", (event) => events.push(event));
    clock.now = 1_000;
    fail(breaker, 2);
    clock.now = 9_000; // observed long after it half-opened at 1_500
    breaker.acquire().success();
    assert.deepEqual(
      events.map((event) => event.detail),
      [
        { name: "api", from: "closed", to: "open", at: 1_000, cause: "failure_threshold", failures: 2, calls: 2, openForMs: 500 },
        { name: "api", from: "open", to: "half_open", at: 1_500, cause: "open_time_elapsed" },
        { name: "api", from: "half_open", to: "closed", at: 9_000, cause: "probes_succeeded" },
      ],
    );
    for (const event of events) {
      assert.ok(event instanceof StateChangeEvent);
      assert.ok(event instanceof Event);
      assert.equal(event.type, "statechange");
    }
  });

  test("reading state or status announces what time implied", () => {
    const { breaker, clock } = breakerAt({ failureThreshold: 1, windowSize: 1, resetTimeoutMs: 100 });
    const changes = recordChanges(breaker);
    fail(breaker);
    clock.now += 150;
    assert.equal(breaker.getStatus().state, "half_open");
    assert.deepEqual(changes.map(({ to }) => to), ["open", "half_open"]);
    assert.equal(changes[1].at, clock.now - 50);
  });

  test("reset and forceOpen are announced; forceOpen while open is not a change", () => {
    const { breaker } = breakerAt();
    const changes = recordChanges(breaker);
    breaker.forceOpen(1_000);
    breaker.forceOpen(); // already open: a new open period, not a new state
    breaker.reset();
    breaker.reset(); // already closed: not a change
    assert.deepEqual(changes.map(({ from, to }) => `${from}->${to}`), ["closed->open", "open->closed"]);
    assert.equal(breaker.getStatus().metrics.stateChanges, 2);
  });

  test("a listener added later hears only later changes; a removed one hears nothing more", () => {
    const { breaker } = breakerAt({ failureThreshold: 1, windowSize: 1 });
    fail(breaker);
    const heard = [];
    const listener = (event) => heard.push(event.detail.to);
    breaker.addEventListener("statechange", listener);
    breaker.reset();
    breaker.removeEventListener("statechange", listener);
    breaker.forceOpen();
    assert.deepEqual(heard, ["closed"]);
  });

  test("a listener that drives the breaker hears every change, in order", () => {
    const { breaker } = breakerAt({ failureThreshold: 1, windowSize: 1 });
    const heard = [];
    breaker.addEventListener("statechange", (event) => {
      heard.push(event.detail.to);
      if (event.detail.to === "open") breaker.reset();
    });
    fail(breaker);
    assert.deepEqual(heard, ["open", "closed"]);
    assert.equal(breaker.state, "closed");
  });
});

describe("onStateChange and logger", () => {
  test("onStateChange gets { name, from, to, at, cause, ... }, after the event's listeners", () => {
    const order = [];
    const { breaker } = breakerAt({
      name: "db",
      failureThreshold: 1,
      windowSize: 1,
      onStateChange: (change) => order.push(["callback", change]),
    });
    breaker.addEventListener("statechange", (event) => order.push(["event", event.detail]));
    fail(breaker);
    assert.deepEqual(order, [
      ["event", { name: "db", from: "closed", to: "open", at: 1_000, cause: "failure_threshold", failures: 1, calls: 1, openForMs: 60_000 }],
      ["callback", { name: "db", from: "closed", to: "open", at: 1_000, cause: "failure_threshold", failures: 1, calls: 1, openForMs: 60_000 }],
    ]);
  });

  test("the logger hears each change at its level, with names and counts, never a payload", async () => {
    const lines = [];
    const logger = {
      debug: (message, detail) => lines.push(["debug", message, detail]),
      info: (message, detail) => lines.push(["info", message, detail]),
      warn: (message, detail) => lines.push(["warn", message, detail]),
    };
    const { breaker, clock } = breakerAt({ name: "llm", failureThreshold: 1, windowSize: 1, resetTimeoutMs: 10, successThreshold: 1, logger });
    await breaker.call(async (prompt) => { throw new Error(`SECRET-ERROR ${prompt}`); }, "SECRET-PROMPT").catch(() => {});
    clock.now += 10;
    assert.equal(await breaker.call(async () => "SECRET-RESULT"), "SECRET-RESULT");
    assert.deepEqual(lines.map(([level]) => level), ["warn", "debug", "info"]);
    const opened = { name: "llm", from: "closed", to: "open", at: 1_000, cause: "failure_threshold", failures: 1, calls: 1, openForMs: 10 };
    assert.deepEqual(lines[0][2], { ...opened, stateChanges: 1 });
    assert.deepEqual(lines[2][2], { name: "llm", from: "half_open", to: "closed", at: 1_010, cause: "probes_succeeded", stateChanges: 3 });
    assert.deepEqual(lines.map(([, message]) => message), [
      'circuit breaker "llm" opened: 1 of 1 calls failed; open for 10 ms (closed -> open at 1000, state change 1)',
      'circuit breaker "llm" half-opened: the open time elapsed (open -> half_open at 1010, state change 2)',
      'circuit breaker "llm" closed: the probes succeeded (half_open -> closed at 1010, state change 3)',
    ]);
    for (const [, message] of lines) assert.match(message, /"llm"/);
    assert.doesNotMatch(JSON.stringify(lines), /SECRET/);
  });

  test("the log line says why, in the core's words and figures", async () => {
    const messages = [];
    const logger = { warn: (message) => messages.push(message), info: (message) => messages.push(message) };
    const { breaker, clock } = breakerAt({
      name: "llm",
      failureThreshold: 4,
      windowSize: 4,
      failureRateThreshold: 0.5,
      minimumCalls: 4,
      slowCallMs: 100,
      resetTimeoutMs: 1_000,
      logger,
    });
    const succeed = () => breaker.acquire().success();
    succeed();
    succeed();
    fail(breaker, 2); // 2 of 4 failed: the rate rule
    breaker.reset();
    breaker.acquire().failure(undefined, { retryAfterMs: 30_000 });
    breaker.reset();
    for (let i = 0; i < 3; i++) succeed();
    const slow = breaker.acquire();
    clock.now += 100;
    slow.success(); // slow: 1 of 4 failed, under both rules
    const slowest = breaker.acquire();
    clock.now += 250;
    slowest.success(); // 2 of 4 failed, and the slow success tipped it
    breaker.forceOpen();
    assert.deepEqual(messages.map((message) => message.replace(/ \([^()]*\)$/, "")), [
      'circuit breaker "llm" opened: 2 of 4 calls failed (50 %); open for 1 s',
      'circuit breaker "llm" closed: reset()',
      'circuit breaker "llm" opened: the upstream asked for Retry-After 30 s; open for 30 s',
      'circuit breaker "llm" closed: reset()',
      'circuit breaker "llm" opened: 2 of 4 calls failed, the last a slow success; open for 1 s',
    ]);
    breaker.reset();
    breaker.forceOpen();
    assert.equal(messages.at(-1), 'circuit breaker "llm" opened: forceOpen(); open until reset() (closed -> open at 1350, state change 7)');
  });

  test("a logger with only some levels, e.g. { warn }, is fine", () => {
    const warned = [];
    const { breaker, clock } = breakerAt({ failureThreshold: 1, windowSize: 1, resetTimeoutMs: 1, logger: { warn: (m) => warned.push(m) } });
    fail(breaker);
    clock.now += 1;
    assert.equal(breaker.state, "half_open");
    assert.equal(warned.length, 1);
  });

});

describe("a hook that throws is reported with console.error, and the breaker goes on", () => {
  /** Runs `body` with console.error recording its calls. */
  function withConsoleErrors(body) {
    const reported = [];
    const realError = console.error;
    console.error = (...args) => reported.push(args);
    try {
      body();
    } finally {
      console.error = realError;
    }
    return reported;
  }

  test("onStateChange, logger methods and listeners: each error reported once, naming the breaker and the hook", () => {
    const heard = [];
    let breaker;
    const reported = withConsoleErrors(() => {
      ({ breaker } = breakerAt({
        name: "fragile",
        failureThreshold: 1,
        windowSize: 1,
        onStateChange: () => { throw new Error("callback broke"); },
        logger: { warn: () => { throw new Error("logger broke"); } },
      }));
      breaker.addEventListener("statechange", () => { throw new Error("listener broke"); });
      breaker.addEventListener("statechange", { handleEvent() { throw new Error("handleEvent broke"); } });
      breaker.addEventListener("statechange", (event) => heard.push(event.detail.to));
      fail(breaker);
      assert.equal(breaker.state, "open");
      breaker.reset();
      assert.equal(breaker.state, "closed");
    });
    assert.deepEqual(heard, ["open", "closed"], "a listener after the throwing ones still hears");
    assert.deepEqual(
      reported.map(([message, error]) => `${message} | ${error.message}`),
      [
        'edgebreaker: circuit breaker "fragile": a "statechange" listener threw; the breaker goes on. | listener broke',
        'edgebreaker: circuit breaker "fragile": a "statechange" listener threw; the breaker goes on. | handleEvent broke',
        'edgebreaker: circuit breaker "fragile": onStateChange threw; the breaker goes on. | callback broke',
        'edgebreaker: circuit breaker "fragile": logger.warn threw; the breaker goes on. | logger broke',
        'edgebreaker: circuit breaker "fragile": a "statechange" listener threw; the breaker goes on. | listener broke',
        'edgebreaker: circuit breaker "fragile": a "statechange" listener threw; the breaker goes on. | handleEvent broke',
        'edgebreaker: circuit breaker "fragile": onStateChange threw; the breaker goes on. | callback broke',
      ],
    );
    assert.equal(breaker.getStatus().metrics.stateChanges, 2);
  });

  test("a console.error that throws too is swallowed", () => {
    const realError = console.error;
    console.error = () => { throw new Error("console broke"); };
    try {
      const { breaker } = breakerAt({ failureThreshold: 1, windowSize: 1, onStateChange: () => { throw new Error("x"); } });
      fail(breaker);
      assert.equal(breaker.state, "open");
    } finally {
      console.error = realError;
    }
  });

  test("guarded listeners behave as the platform's: `this`, removal, no duplicates, once", () => {
    const { breaker } = breakerAt({ failureThreshold: 1, windowSize: 1 });
    const calls = [];
    function listener(event) {
      calls.push([this === breaker, event.detail.to]);
    }
    const onceListener = (event) => calls.push(["once", event.detail.to]);
    const handler = { handleEvent(event) { calls.push([this === handler, `handleEvent ${event.detail.to}`]); } };
    breaker.addEventListener("statechange", listener);
    breaker.addEventListener("statechange", listener); // the same listener twice: registered once
    breaker.addEventListener("statechange", onceListener, { once: true });
    breaker.addEventListener("statechange", handler);
    fail(breaker);
    breaker.removeEventListener("statechange", listener);
    breaker.removeEventListener("statechange", handler);
    breaker.reset();
    assert.deepEqual(calls, [[true, "open"], ["once", "open"], [true, "handleEvent open"]]);
  });

  test("a process whose every hook throws ends normally (exit 0): before, Node exited 1", () => {
    const consumer = fileURLToPath(new URL("..", import.meta.url));
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", throwingHooksProgram], {
      cwd: consumer,
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.deepEqual(throwingHooksProblems({ code: run.status, stdout: run.stdout, stderr: run.stderr }), []);
  });
});
