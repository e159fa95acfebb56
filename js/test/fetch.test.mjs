// breaker.fetch and protectFetch in Node, on a fake fetch (the `fetch`
// option): the fine print of judging responses that the edge tests, on real
// sockets in workerd and Deno, cannot provoke byte by byte.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { CircuitBreaker, CircuitBreakerError, clearCircuitBreakerRegistry, listCircuitBreakers, presets, protectFetch } from "edgebreaker";
import { breakerAt, counts, fakeFetch, sse, zeroCounts } from "./helpers.mjs";

const encoder = new TextEncoder();
const byteByByte = (text) => Array.from(encoder.encode(text), (byte) => Uint8Array.of(byte));
const readAll = async (response) => new Uint8Array(await response.arrayBuffer());

describe("SSE error events", () => {
  test("an error object split byte by byte across chunks is still found", async () => {
    const text = 'data: {"choices":[]}\n\ndata: {"error":{"message":"overloaded"}}\n\n';
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => sse(byteByByte(text))) });
    const response = await breaker.fetch("https://llm.test/v1/chat/completions");
    assert.equal(new TextDecoder().decode(await readAll(response)), text);
    assert.equal(counts(breaker).failedCalls, 1);
  });

  test('"error": null in an ordinary chunk is not an error event', async () => {
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => sse(['data: {"error":null,"choices":[]}\n\n', "data: [DONE]\n\n"])) });
    await (await breaker.fetch("https://llm.test/")).arrayBuffer();
    assert.equal(counts(breaker).successfulCalls, 1);
  });

  test("event: error in CRLF-framed SSE is found", async () => {
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => sse(["event: ping\r\ndata: {}\r\n\r\n", "event: error\r", '\ndata: {"type":"error"}\r\n\r\n'])) });
    await (await breaker.fetch("https://llm.test/")).arrayBuffer();
    assert.equal(counts(breaker).failedCalls, 1);
  });

  test("a body that is not text/event-stream is not scanned, whatever it says", async () => {
    const body = JSON.stringify({ error: { message: "an application-level field" } });
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => new Response(body, { headers: { "content-type": "application/json" } })) });
    await (await breaker.fetch("https://llm.test/")).json();
    assert.equal(counts(breaker).successfulCalls, 1);
  });

  test("a multi-byte character split across chunks passes through byte for byte", async () => {
    const bytes = encoder.encode("data: {\"content\":\"naïve — 日本\"}\n\ndata: [DONE]\n\n");
    const chunks = [bytes.slice(0, 17), bytes.slice(17, 18), bytes.slice(18, 31), bytes.slice(31)];
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => sse(chunks)) });
    assert.deepEqual(await readAll(await breaker.fetch("https://llm.test/")), bytes);
    assert.equal(counts(breaker).successfulCalls, 1);
  });
});

describe("Retry-After", () => {
  const limited = (retryAfter, status = 429) => () => new Response("slow down", { status, headers: { "retry-after": retryAfter } });
  const statusAfter = async (retryAfter, status) => {
    const { breaker } = breakerAt({ maxRetryAfterMs: 120_000, fetch: fakeFetch(limited(retryAfter, status)) });
    await breaker.fetch("https://llm.test/");
    return breaker.getStatus();
  };

  test("delay-seconds opens the circuit for exactly that long", async () => {
    const { state, retryAfterMs } = await statusAfter("7");
    assert.deepEqual({ state, retryAfterMs }, { state: "open", retryAfterMs: 7000 });
  });

  test("an HTTP date far ahead is cut to maxRetryAfterMs, in each of the three date forms", async () => {
    for (const date of ["Sun, 06 Nov 2094 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT".replace("94", "2094"), "Sat Nov  6 08:49:37 2094"]) {
      const { state, retryAfterMs } = await statusAfter(date, 503);
      assert.deepEqual({ state, retryAfterMs }, { state: "open", retryAfterMs: 120_000 }, date);
    }
  });

  test("0, a past date, a fraction or garbage make an ordinary failure", async () => {
    for (const value of ["0", "Sun, 06 Nov 1994 08:49:37 GMT", "1.5", "soon", "-3"]) {
      const { state, metrics } = await statusAfter(value);
      assert.deepEqual({ state, failedCalls: metrics.failedCalls }, { state: "closed", failedCalls: 1 }, value);
    }
  });

  test("the largest maxRetryAfterMs keeps a huge Retry-After long, not zero", async () => {
    const breaker = new CircuitBreaker({ maxRetryAfterMs: Number.MAX_SAFE_INTEGER, fetch: fakeFetch(limited("99999999999999")) });
    await breaker.fetch("https://llm.test/");
    const { state, retryAfterMs } = breaker.getStatus();
    assert.equal(state, "open");
    assert.ok(retryAfterMs > 10 ** 15, String(retryAfterMs));
  });

  test("maxRetryAfterMs 0 ignores Retry-After altogether", async () => {
    const breaker = new CircuitBreaker({ maxRetryAfterMs: 0, fetch: fakeFetch(limited("30")) });
    await breaker.fetch("https://llm.test/");
    assert.equal(breaker.state, "closed");
  });
});

describe("responses", () => {
  test("a failure response is settled at once and handed back with its status, headers and body", async () => {
    const upstream = new Response("boom", { status: 502, statusText: "Bad Gateway", headers: { "x-upstream": "yes" } });
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => upstream) });
    const response = await breaker.fetch("https://llm.test/");
    assert.equal(counts(breaker).failedCalls, 1);
    assert.deepEqual([response.status, response.statusText, response.headers.get("x-upstream")], [502, "Bad Gateway", "yes"]);
    assert.equal(await response.text(), "boom");
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1 });
  });

  test("a response with no body (204) is a success at once", async () => {
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => new Response(null, { status: 204 })) });
    assert.equal((await breaker.fetch("https://llm.test/")).status, 204);
    assert.deepEqual(counts(breaker), { totalCalls: 1, successfulCalls: 1, failedCalls: 0, blockedCalls: 0, ignoredCalls: 0, slowCalls: 0, inFlight: 0 });
  });

  test("a streamed body is settled only when it has been read to its end", async () => {
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => sse(["data: 1\n\n", "data: 2\n\n", "data: [DONE]\n\n"])) });
    const response = await breaker.fetch("https://llm.test/");
    assert.equal(counts(breaker).inFlight, 1);
    await response.text();
    assert.equal(counts(breaker).successfulCalls, 1);
  });

  test("slowCallMs times the first byte: a quick start streamed for long is not slow, and its end reads the clock once", async () => {
    const clock = { now: 1_000, reads: 0 };
    const breaker = new CircuitBreaker({
      slowCallMs: 100,
      clock: () => (clock.reads++, clock.now),
      fetch: fakeFetch(() => {
        clock.now += 50; // headers after 50 ms
        return sse(["data: 1\n\n", "data: 2\n\n", "data: [DONE]\n\n"]);
      }),
    });
    const response = await breaker.fetch("https://llm.test/");
    clock.now += 500; // the body takes long
    await response.text();
    assert.equal(clock.reads, 3, "at acquire, at the first byte, at the end");
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, successfulCalls: 1 });
  });

  test("slowCallMs: headers later than it make a slow call, however quick the body", async () => {
    const clock = { now: 1_000 };
    const breaker = new CircuitBreaker({
      slowCallMs: 100,
      clock: () => clock.now,
      fetch: fakeFetch(() => {
        clock.now += 150;
        return sse(["data: 1\n\n", "data: [DONE]\n\n"]);
      }),
    });
    await (await breaker.fetch("https://llm.test/")).text();
    assert.deepEqual(counts(breaker), { ...zeroCounts, totalCalls: 1, failedCalls: 1, slowCalls: 1 });
  });

  test("an isFailureResponse that throws counts the response as a failure", async () => {
    const breaker = new CircuitBreaker({
      isFailureResponse: () => { throw new Error("broken predicate"); },
      fetch: fakeFetch(() => new Response("ok")),
    });
    await breaker.fetch("https://llm.test/");
    assert.equal(counts(breaker).failedCalls, 1);
  });

  test("the guarded response keeps status, headers and url", async () => {
    const upstream = new Response("hi", { status: 201, statusText: "Made", headers: { "x-upstream": "yes" } });
    Object.defineProperty(upstream, "url", { value: "https://llm.test/v1/x" });
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => upstream) });
    const response = await breaker.fetch("https://llm.test/v1/x");
    assert.deepEqual([response.status, response.statusText, response.headers.get("x-upstream"), response.url], [201, "Made", "yes", "https://llm.test/v1/x"]);
  });
});

describe("the caller and the fallback", () => {
  test("a Request's own signal counts as the caller's: aborting it is ignored", async () => {
    const caller = new AbortController();
    const fetch = fakeFetch((input, init) => new Promise((_, reject) => init.signal.addEventListener("abort", () => reject(init.signal.reason))));
    const breaker = new CircuitBreaker({ fetch });
    const pending = breaker.fetch(new Request("https://llm.test/", { signal: caller.signal }));
    caller.abort();
    await assert.rejects(pending, { name: "AbortError" });
    assert.equal(counts(breaker).ignoredCalls, 1);
  });

  test("an already-aborted signal rejects at once, as fetch does: no permit, nothing upstream", async () => {
    const fetch = fakeFetch(() => new Response("ok"));
    const breaker = new CircuitBreaker({ fetch });
    await assert.rejects(breaker.fetch("https://llm.test/", { signal: AbortSignal.abort() }), { name: "AbortError" });
    assert.equal(fetch.calls.length, 0);
    assert.deepEqual(counts(breaker), zeroCounts);
  });

  test("the fallback gets the error and fetch's own arguments", async () => {
    const seen = [];
    const init = { method: "POST", body: "{}" };
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      fetch: fakeFetch(() => Promise.reject(new TypeError("fetch failed"))),
      fallback: (error, input, given) => (seen.push([error.name, input, given]), new Response("fallback")),
    });
    assert.equal(await (await breaker.fetch("https://llm.test/", init)).text(), "fallback"); // fails: network error
    assert.equal(await (await breaker.fetch("https://llm.test/", init)).text(), "fallback"); // blocked
    assert.deepEqual(seen, [["TypeError", "https://llm.test/", init], ["CircuitBreakerError", "https://llm.test/", init]]);
  });

  test('onOpen: "throw" wins over a fallback for a blocked call; the fallback still answers a network error', async () => {
    const seen = [];
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      onOpen: "throw",
      fetch: fakeFetch(() => Promise.reject(new TypeError("fetch failed"))),
      fallback: (error) => (seen.push(error.name), new Response("fallback")),
    });
    assert.equal(await (await breaker.fetch("https://llm.test/")).text(), "fallback");
    await assert.rejects(breaker.fetch("https://llm.test/"), CircuitBreakerError);
    assert.deepEqual(seen, ["TypeError"]);
  });

  test("a clock that reads wrong when a call is admitted rejects with its RangeError, neither a fallback nor a 503", async () => {
    const clock = { now: 1_000 };
    for (const onOpen of [undefined, "respond"]) {
      const fetch = fakeFetch(() => new Response("boom", { status: 500 }));
      const breaker = new CircuitBreaker({ failureThreshold: 1, clock: () => clock.now, onOpen, fetch, fallback: () => new Response("fallback") });
      clock.now = 1_000;
      await breaker.fetch("https://llm.test/");
      clock.now = Number.NaN;
      await assert.rejects(breaker.fetch("https://llm.test/"), { name: "RangeError", message: /^clock must return/ });
      assert.equal(fetch.calls.length, 1, String(onOpen));
    }
  });

  test("isFailure can ignore a network error: no failure, no fallback, the error rethrown", async () => {
    const breaker = new CircuitBreaker({
      isFailure: (error) => error.message !== "offline",
      fallback: () => new Response("never"),
      fetch: fakeFetch(() => Promise.reject(new TypeError("offline"))),
    });
    await assert.rejects(breaker.fetch("https://llm.test/"), { message: "offline" });
    assert.equal(counts(breaker).ignoredCalls, 1);
  });
});

describe("options", () => {
  test("fetch options are checked when the breaker is built, and named", () => {
    assert.throws(() => new CircuitBreaker({ onOpen: "fallback" }), { name: "TypeError", message: /onOpen/ });
    assert.throws(() => new CircuitBreaker({ idleTimeoutMs: 0 }), { name: "RangeError", message: /idleTimeoutMs/ });
    assert.throws(() => new CircuitBreaker({ firstByteTimeoutMs: "5" }), { name: "TypeError", message: /firstByteTimeoutMs/ });
    assert.throws(() => new CircuitBreaker({ maxRetryAfterMs: -1 }), { name: "RangeError", message: /maxRetryAfterMs/ });
    assert.throws(() => new CircuitBreaker({ maxRetryAfterMs: 2 ** 53 }), { name: "RangeError", message: /maxRetryAfterMs/ });
    assert.throws(() => new CircuitBreaker({ isFailureResponse: true }), { name: "TypeError", message: /isFailureResponse/ });
  });

  test("protectFetch checks its options at once, not at the first request", () => {
    assert.throws(() => protectFetch({ failureTreshold: 3 }), { name: "TypeError", message: /failureTreshold/ });
    assert.throws(() => protectFetch({ failureThreshold: 0 }), { name: "RangeError", message: /failureThreshold/ });
    assert.throws(() => protectFetch({ key: "origin" }), { name: "TypeError", message: /key/ });
  });
});

describe("protectFetch", () => {
  afterEach(clearCircuitBreakerRegistry);

  test("keeps one breaker per origin in the registry, so one failing upstream does not block another", async () => {
    const fetch = fakeFetch((request) => new Response("", { status: request.url.includes("down.test") ? 500 : 200 }));
    const protectedFetch = protectFetch({ failureThreshold: 1, fetch });
    await protectedFetch("https://down.test/a");
    await assert.rejects(protectedFetch("https://down.test/b"), CircuitBreakerError);
    for (const input of [new Request("https://up.test/c"), new URL("https://up.test/d")]) {
      const response = await protectedFetch(input);
      assert.equal(response.status, 200);
      await response.arrayBuffer(); // a body is judged when read to its end
    }
    const registry = listCircuitBreakers();
    assert.deepEqual(Object.keys(registry).sort(), ["https://down.test", "https://up.test"]);
    assert.equal(registry["https://down.test"].state, "open");
    assert.equal(registry["https://up.test"].metrics.successfulCalls, 2);
    assert.equal(fetch.calls.length, 3);
  });

  test("with a name, every request shares that one breaker; with key, the key decides", async () => {
    const fetch = fakeFetch(() => new Response("ok"));
    await (await protectFetch({ name: "llm", fetch })("https://a.test/")).text();
    await (await protectFetch({ name: "llm", fetch })("https://b.test/")).text();
    await (await protectFetch({ key: (url) => url.pathname.split("/")[1], fetch })("https://c.test/models/x")).text();
    assert.deepEqual(Object.keys(listCircuitBreakers()).sort(), ["llm", "models"]);
    assert.equal(listCircuitBreakers().llm.metrics.successfulCalls, 2);
  });

  test("two for one name with other options: a TypeError naming the option, never the first one's options", () => {
    const fetch = fakeFetch(() => new Response("ok"));
    protectFetch({ name: "llm", firstByteTimeoutMs: 20_000, fetch });
    assert.throws(() => protectFetch({ name: "llm", firstByteTimeoutMs: 5_000, fetch }), {
      name: "TypeError",
      message: /^protectFetch: the breaker "llm" is registered already, with firstByteTimeoutMs 20000; got 5000\./,
    });
    assert.throws(() => protectFetch({ name: "llm", firstByteTimeoutMs: 20_000, fetch, onOpen: "respond" }), { message: /with onOpen not set; got "respond"/ });
    assert.throws(() => protectFetch({ name: "llm", firstByteTimeoutMs: 20_000, fetch: fakeFetch(() => new Response("ok")) }), { message: /with fetch a function; got a function/ });
  });

  test("two for one origin with other options: the second's request rejects with the TypeError; the first goes on", async () => {
    const fetch = fakeFetch(() => new Response("ok"));
    const first = protectFetch({ onOpen: "respond", fetch });
    const second = protectFetch({ onOpen: "throw", fetch });
    await (await first("https://llm.test/a")).text();
    await assert.rejects(second("https://llm.test/b"), { name: "TypeError", message: /"https:\/\/llm\.test" .* onOpen "respond"; got "throw"/ });
    await (await first("https://llm.test/c")).text();
    assert.equal(listCircuitBreakers()["https://llm.test"].metrics.successfulCalls, 2);
    assert.equal(fetch.calls.length, 2);
  });

  test("the same options (same values, the same functions) share the breaker", async () => {
    const fetch = fakeFetch(() => new Response("ok"));
    const isFailureResponse = (response) => response.status >= 500;
    const one = protectFetch({ ...presets.llm, isFailureResponse, fetch, idleTimeoutMs: null });
    const other = protectFetch({ ...presets.llm, isFailureResponse, fetch });
    await (await one("https://llm.test/a")).text();
    await (await other("https://llm.test/b")).text();
    assert.equal(listCircuitBreakers()["https://llm.test"].metrics.successfulCalls, 2);
  });
});
