// The fake upstream does what the edge tests and the demo count on.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, beforeEach, test } from "node:test";
import { startFakeUpstream } from "./server.mjs";

let upstream;
before(async () => (upstream = await startFakeUpstream()));
after(() => upstream.close());
beforeEach(() => upstream.reset());

const chat = (body, init = {}) =>
  fetch(`${upstream.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "fake-model", messages: [{ role: "user", content: "hello there" }], ...body }),
    ...init,
  });

async function readEvents(response) {
  const text = await response.text();
  return text.split("\n\n").filter(Boolean);
}

test("a non-streamed completion has the OpenAI shape and echoes the last message", async () => {
  const response = await chat({});
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.equal(body.object, "chat.completion");
  assert.equal(body.choices[0].message.role, "assistant");
  assert.match(body.choices[0].message.content, /hello there$/);
  assert.equal(body.choices[0].finish_reason, "stop");
  assert.equal(upstream.counters.completions, 1);
});

test("a streamed completion sends a role chunk, one chunk per piece, a stop chunk and [DONE]", async () => {
  upstream.setFaults({ chunkCount: 3 });
  const response = await chat({ stream: true });
  assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const events = await readEvents(response);
  assert.equal(events.length, 1 + 3 + 1 + 1);
  assert.deepEqual(JSON.parse(events[0].slice(6)).choices[0].delta, { role: "assistant", content: "" });
  assert.equal(JSON.parse(events[4].slice(6)).choices[0].finish_reason, "stop");
  assert.equal(events[5], "data: [DONE]");
  assert.equal(upstream.counters.streamsCompleted, 1);
});

test("errorRate 0.5 fails every other request, with the configured status and Retry-After", async () => {
  upstream.setFaults({ errorRate: 0.5, errorStatus: 429, retryAfter: 7 });
  const statuses = [];
  for (let i = 0; i < 4; i += 1) {
    const response = await chat({});
    statuses.push(response.status);
    if (response.status === 429) assert.equal(response.headers.get("retry-after"), "7");
    await response.body.cancel();
  }
  assert.deepEqual(statuses, [200, 429, 200, 429]);
  assert.equal(upstream.counters.injectedErrors, 2);
});

test("latencyMs holds the response headers back", async () => {
  upstream.setFaults({ latencyMs: 150 });
  const started = performance.now();
  const response = await chat({});
  assert.ok(performance.now() - started >= 140, "headers arrived before the latency");
  await response.body.cancel();
});

test("stallAfterChunks sends that many events and then nothing, until the client leaves", async () => {
  upstream.setFaults({ stallAfterChunks: 2 });
  const response = await chat({ stream: true });
  const reader = response.body.getReader();
  let text = "";
  while (text.split("\n\n").length <= 2) text += new TextDecoder().decode((await reader.read()).value);
  const next = await Promise.race([reader.read(), new Promise((resolve) => setTimeout(() => resolve("silence"), 200))]);
  assert.equal(next, "silence");
  assert.equal(upstream.counters.stalls, 1);
  await reader.cancel();
});

test("an OpenAI-style error event ends the stream after errorEventAfterChunks events", async () => {
  upstream.setFaults({ errorEventAfterChunks: 2 });
  const events = await readEvents(await chat({ stream: true }));
  assert.equal(events.length, 3);
  assert.equal(JSON.parse(events[2].slice(6)).error.type, "server_error");
  assert.equal(upstream.counters.errorEvents, 1);
});

test("an Anthropic-style error event is an SSE event named error", async () => {
  upstream.setFaults({ errorEventAfterChunks: 1, errorEventStyle: "anthropic" });
  const events = await readEvents(await chat({ stream: true }));
  assert.match(events[1], /^event: error\ndata: \{"type":"error"/);
});

test("dropAfterChunks 0 drops the connection before any response: fetch rejects", async () => {
  upstream.setFaults({ dropAfterChunks: 0 });
  await assert.rejects(chat({}), TypeError);
  assert.equal(upstream.counters.drops, 1);
});

test("dropAfterChunks in a stream breaks the body after that many events", async () => {
  upstream.setFaults({ dropAfterChunks: 2 });
  const response = await chat({ stream: true });
  assert.equal(response.status, 200);
  await assert.rejects(response.text());
});

test("a client leaving mid-stream is counted, and in-flight requests are tracked", async () => {
  upstream.setFaults({ chunkDelayMs: 50 });
  const responses = await Promise.all([chat({ stream: true }), chat({ stream: true })]);
  assert.equal(upstream.counters.maxInFlight, 2);
  for (const response of responses) await response.body.cancel();
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal(upstream.counters.streamsClosedEarly, 2);
  assert.equal(upstream.counters.inFlight, 0);
});

test("the control endpoint sets faults, refuses unknown ones by name, reports counters and resets", async () => {
  const post = (path, body) => fetch(`${upstream.url}${path}`, { method: "POST", body: JSON.stringify(body) });
  const set = await (await post("/__control/faults", { errorRate: 1, errorStatus: 503 })).json();
  assert.equal(set.faults.errorStatus, 503);
  assert.equal((await chat({})).status, 503);
  const refused = await post("/__control/faults", { errorRatio: 1 });
  assert.equal(refused.status, 400);
  assert.match((await refused.json()).error.message, /errorRatio/);
  const state = await (await fetch(`${upstream.url}/__control`)).json();
  assert.equal(state.counters.requests, 1);
  const reset = await (await post("/__control/reset", {})).json();
  assert.equal(reset.faults.errorRate, 0);
  assert.equal(reset.counters.requests, 0);
});

test("a body that is not JSON is a 400 in the OpenAI error shape", async () => {
  const response = await fetch(`${upstream.url}/v1/chat/completions`, { method: "POST", body: "{" });
  assert.equal(response.status, 400);
  assert.equal((await response.json()).error.type, "invalid_request_error");
});

test("with requestFaults, a request's own fault applies to it alone; without, it is ignored; a bad one is a 400 naming it", async () => {
  const ignored = await chat({ fault: { errorRate: 1, errorStatus: 503 } });
  assert.equal(ignored.status, 200);
  await ignored.body.cancel();
  upstream.setFaults({ requestFaults: true });
  const own = await chat({ fault: { errorRate: 1, errorStatus: 429, retryAfter: 1 } });
  assert.equal(own.status, 429);
  assert.equal(own.headers.get("retry-after"), "1");
  await own.body.cancel();
  const next = await chat({});
  assert.equal(next.status, 200);
  await next.body.cancel();
  const bad = await chat({ fault: { stallAfter: 1 } });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /stallAfter/);
  assert.equal(upstream.counters.injectedErrors, 1);
});

test("truncateAfterChunks ends a stream cleanly after that many events, without [DONE]", async () => {
  upstream.setFaults({ chunkCount: 3, truncateAfterChunks: 2 });
  const events = await readEvents(await chat({ stream: true })); // no error: the HTTP reply is whole
  assert.equal(events.length, 2);
  assert.ok(events.every((event) => event !== "data: [DONE]"));
  assert.deepEqual([upstream.counters.truncations, upstream.counters.streamsCompleted], [1, 0]);
});

test("finAfterChunks sends Connection: close, then that many events and a FIN without the chunked reply's last chunk", async () => {
  upstream.setFaults({ chunkCount: 3, finAfterChunks: 2 });
  const body = JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: true });
  const socket = connect(upstream.port, "127.0.0.1");
  socket.end(`POST /v1/chat/completions HTTP/1.1\r\nHost: upstream\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  let raw = "";
  socket.setEncoding("utf8").on("data", (text) => (raw += text));
  await new Promise((resolve, reject) => socket.once("end", resolve).once("error", reject)); // "end": a FIN, not a reset
  const headEnd = raw.indexOf("\r\n\r\n");
  const [head, chunks] = [raw.slice(0, headEnd), raw.slice(headEnd + 4)];
  assert.match(head, /^connection: close$/im);
  assert.match(head, /^transfer-encoding: chunked$/im);
  assert.equal((chunks.match(/^data: /gm) ?? []).length, 2);
  assert.ok(!chunks.endsWith("0\r\n\r\n"), "no last chunk");
  assert.equal(upstream.counters.truncations, 1);
});

test("silenceAfterErrorEvent: the error event is sent, then nothing, the connection kept open", async () => {
  upstream.setFaults({ errorEventAfterChunks: 2, silenceAfterErrorEvent: true });
  const reader = (await chat({ stream: true })).body.getReader();
  let text = "";
  while (!text.includes('"error"')) text += new TextDecoder().decode((await reader.read()).value);
  const next = await Promise.race([reader.read(), new Promise((resolve) => setTimeout(() => resolve("silent"), 300))]);
  assert.equal(next, "silent");
  assert.deepEqual([upstream.counters.errorEvents, upstream.counters.stalls, upstream.counters.inFlight], [1, 1, 1]);
  await reader.cancel();
});

test("stallErrorBody: an injected error's headers and the start of its body, then nothing", async () => {
  upstream.setFaults({ errorRate: 1, errorStatus: 503, stallErrorBody: true });
  const response = await chat({});
  assert.equal(response.status, 503);
  const reader = response.body.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), '{"error":');
  const next = await Promise.race([reader.read(), new Promise((resolve) => setTimeout(() => resolve("silent"), 300))]);
  assert.equal(next, "silent");
  assert.deepEqual([upstream.counters.injectedErrors, upstream.counters.stalls], [1, 1]);
  await reader.cancel();
});
