// Only the upstream moves the breaker (Node): the caller's own mistakes take no
// permit, every path after admission settles its permit once, and what the
// caller gave (its signal, its Request) means what it means to fetch.
import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { afterEach, describe, test } from "node:test";
import { CircuitBreaker, clearCircuitBreakerRegistry, protectFetch } from "edgebreaker";
import { counts, fakeFetch, startServer, zeroCounts } from "./helpers.mjs";

/** The error the runtime itself throws for these fetch arguments. */
function runtimeErrorOf(input, init) {
  try {
    new Request(input, init);
  } catch (error) {
    return error;
  }
  throw new Error("the runtime accepts these arguments");
}

describe("the caller's own mistakes reject with the runtime's error and take no permit", () => {
  const mistakes = {
    "an invalid URL": ["http://exa mple.test/"],
    "a header value with a newline": ["https://llm.test/", { headers: { "x-note": "one\ntwo" } }],
    "a GET with a body": ["https://llm.test/", { method: "GET", body: "{}" }],
    "a method with a space": ["https://llm.test/", { method: "PO ST", body: "{}" }],
    "an init that is not an object": ["https://llm.test/", 5],
    "a signal that is not a signal at all": ["https://llm.test/", { signal: "soon" }],
  };
  for (const [mistake, args] of Object.entries(mistakes)) {
    test(mistake, async () => {
      const fetch = fakeFetch(() => new Response("ok"));
      const breaker = new CircuitBreaker({ failureThreshold: 1, fetch });
      const { name, message } = runtimeErrorOf(...args);
      await assert.rejects(breaker.fetch(...args), { name, message });
      assert.deepEqual(counts(breaker), zeroCounts);
      assert.equal(fetch.calls.length, 0);
    });
  }

  test("a Request whose body was already read", async () => {
    const used = new Request("https://llm.test/", { method: "POST", body: "{}" });
    await used.text();
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => new Response("ok")) });
    await assert.rejects(breaker.fetch(used), { name: "TypeError" });
    assert.deepEqual(counts(breaker), zeroCounts);
  });

  test("a refused call leaves the caller's Request readable: it can be sent elsewhere", async () => {
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => new Response("ok")) });
    breaker.forceOpen();
    const request = new Request("https://llm.test/", { method: "POST", body: '{"prompt":"hi"}' });
    await assert.rejects(breaker.fetch(request), { name: "CircuitBreakerError" });
    assert.equal(request.bodyUsed, false);
    assert.equal(await request.text(), '{"prompt":"hi"}');
  });

  test("the issue's five, through the real fetch: the circuit stays closed and the upstream sees nothing", async () => {
    let requests = 0;
    const server = await startServer((req, res) => (requests++, res.end("ok")));
    try {
      const breaker = new CircuitBreaker({ failureThreshold: 5 });
      const calls = [
        ["http://exa mple.test/"],
        [server.url, { headers: { "x-note": "one\ntwo" } }],
        [server.url, { method: "GET", body: "{}" }],
        [server.url, { method: "PO ST" }],
        [server.url.replace("http:", "ftp:")],
      ];
      for (const args of calls) await assert.rejects(breaker.fetch(...args), { name: "TypeError" });
      const ftp = await globalThis.fetch(calls[4][0]).catch((error) => error);
      await assert.rejects(breaker.fetch(calls[4][0]), { name: ftp.name, message: ftp.message }); // the runtime's own error
      assert.equal(breaker.state, "closed");
      assert.deepEqual(counts(breaker), zeroCounts);
      assert.equal(requests, 0);
    } finally {
      await server.close();
    }
  });

  test("a scheme other than http(s) goes to the fetch as it is, outside the breaker", async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    assert.equal(await (await breaker.fetch("data:text/plain,hello")).text(), "hello");
    breaker.forceOpen();
    assert.equal(await (await breaker.fetch("data:text/plain,still")).text(), "still");
    assert.deepEqual(counts(breaker), zeroCounts);
  });
});

describe("every path after admission settles the permit once", () => {
  /** Timers pending in this process (a stray one would keep Node alive, and fire later). */
  const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
  const timed = { timeoutMs: 5_000, firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000 };

  const junk = {
    "a string": () => "ok",
    undefined: () => undefined,
    "an object that is not a Response": () => ({ ok: true }),
    "a Response-like whose body is a Node.js stream": async () => {
      const { Readable } = await import("node:stream");
      return { status: 200, statusText: "OK", headers: new Headers(), body: Readable.from(["hello"]) };
    },
  };
  for (const [what, respond] of Object.entries(junk)) {
    test(`a custom fetch resolving to ${what}: a TypeError naming fetch, ignored, no timer left`, async () => {
      const before = timers();
      const breaker = new CircuitBreaker({ ...timed, fetch: respond });
      await assert.rejects(breaker.fetch("https://llm.test/"), { name: "TypeError", message: /^fetch must resolve to a Response/ });
      assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, ignoredCalls: 1 });
      assert.ok(timers() <= before, `${timers()} timers pending, ${before} before the call`);
    });
  }

  test("a custom fetch that throws at once is judged as a network error", async () => {
    const breaker = new CircuitBreaker({
      ...timed,
      fetch: () => {
        throw new TypeError("no route");
      },
    });
    await assert.rejects(breaker.fetch("https://llm.test/"), { message: "no route" });
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
  });

  test("a status the runtime will not rebuild a Response with (700) is handed on as it came, judged by its headers", async () => {
    const upstream = { status: 700, statusText: "", headers: new Headers(), body: new Response("odd").body };
    const breaker = new CircuitBreaker({ ...timed, isFailureResponse: () => false, fetch: async () => upstream });
    assert.equal(await breaker.fetch("https://llm.test/"), upstream);
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, successfulCalls: 1 });
  });

  test("an isFailureResponse that returns junk counts a failure, and the call is settled", async () => {
    const breaker = new CircuitBreaker({ isFailureResponse: () => "maybe", fetch: fakeFetch(() => new Response("ok")) });
    await (await breaker.fetch("https://llm.test/")).text();
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
  });

  test("a signal that is not a native AbortSignal (a polyfill): Node's fetch takes it, and so does the breaker", async () => {
    class PolyfillSignal extends EventTarget {
      aborted = false;
      reason = undefined;
    }
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => new Response("ok")) });
    const response = await breaker.fetch("https://llm.test/", { signal: new PolyfillSignal() });
    assert.equal(await response.text(), "ok");
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, successfulCalls: 1 });
  });
});

describe("the caller's signal", () => {
  test("20 concurrent calls sharing one signal: one listener on it, no MaxListenersExceededWarning, none left after", async () => {
    const warnings = [];
    const onWarning = (warning) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const shared = new AbortController();
      let release;
      const released = new Promise((resolve) => (release = resolve));
      const breaker = new CircuitBreaker({ fetch: async () => (await released, new Response("ok")) });
      const calls = Array.from({ length: 20 }, () => breaker.fetch("https://llm.test/", { signal: shared.signal }).then((r) => r.text()));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(getEventListeners(shared.signal, "abort").length, 1, "one listener for the 20 calls");
      release();
      await Promise.all(calls);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
      assert.deepEqual(warnings.filter((name) => name === "MaxListenersExceededWarning"), []);
      assert.equal(counts(breaker).successfulCalls, 20);
      assert.equal(getEventListeners(shared.signal, "abort").length, 0);
    } finally {
      process.off("warning", onWarning);
    }
  });

  test("a long-lived signal shared by 5,000 calls in turn gathers no listeners", async () => {
    const shared = new AbortController();
    const breaker = new CircuitBreaker({ fetch: async () => new Response("ok") });
    for (let call = 0; call < 5000; call += 1) await (await breaker.fetch("https://llm.test/", { signal: shared.signal })).text();
    assert.equal(getEventListeners(shared.signal, "abort").length, 0);
  });

  test("aborting a signal shared by 20 pending calls stops every one of them, ignored", { timeout: 3000 }, async () => {
    const shared = new AbortController();
    const breaker = new CircuitBreaker({ fetch: () => new Promise(() => {}) }); // deaf: only the breaker can give up
    const calls = Array.from({ length: 20 }, () => breaker.fetch("https://llm.test/", { signal: shared.signal }));
    await new Promise((resolve) => setImmediate(resolve));
    shared.abort();
    for (const call of calls) await assert.rejects(call, { name: "AbortError" });
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 20, ignoredCalls: 20 });
    assert.equal(getEventListeners(shared.signal, "abort").length, 0);
  });

  test("a Request's signal with init { signal: undefined } is kept: undefined means absent", { timeout: 3000 }, async () => {
    const caller = new AbortController();
    const fetch = fakeFetch((request, init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason))));
    const breaker = new CircuitBreaker({ fetch });
    const pending = breaker.fetch(new Request("https://llm.test/", { signal: caller.signal }), { signal: undefined });
    caller.abort();
    await assert.rejects(pending, { name: "AbortError" });
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, ignoredCalls: 1 });
  });

  test("init { signal: null } drops a Request's signal, as fetch does", async () => {
    const caller = new AbortController();
    caller.abort();
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => new Response("ok")) });
    const response = await breaker.fetch(new Request("https://llm.test/", { signal: caller.signal }), { signal: null });
    assert.equal(await response.text(), "ok");
  });
});

describe("what the caller gets back", () => {
  afterEach(clearCircuitBreakerRegistry);

  test("a redirected response keeps redirected, type and url", async () => {
    const server = await startServer((req, res) => {
      if (req.url === "/start") res.writeHead(302, { location: "/final" }).end();
      else res.end("done");
    });
    try {
      const breaker = new CircuitBreaker();
      const response = await breaker.fetch(`${server.url}/start`);
      assert.deepEqual(
        { redirected: response.redirected, type: response.type, url: response.url, text: await response.text() },
        { redirected: true, type: "basic", url: `${server.url}/final`, text: "done" },
      );
      assert.equal(counts(breaker).successfulCalls, 1);
    } finally {
      await server.close();
    }
  });

  test("a key that returns no string: a rejected promise whose TypeError names key, never a synchronous throw", async () => {
    const protectedFetch = protectFetch({ key: () => 42, fetch: fakeFetch(() => new Response("ok")) });
    let pending;
    assert.doesNotThrow(() => (pending = protectedFetch("https://llm.test/")));
    await assert.rejects(pending, { name: "TypeError", message: /^key must return a string; got 42$/ });
  });
});
