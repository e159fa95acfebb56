// SSE streams through breaker.fetch in Node: an LLM stream is whole only with
// its end marker (the `streamEnd` option), and an error event is found however
// it arrives. A fake fetch sends the bytes; the last tests use a real socket.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, test } from "node:test";
import { CircuitBreaker } from "edgebreaker";
import { counts, fakeFetch, sse } from "./helpers.mjs";

/** Reads the whole body of one `breaker.fetch` of `chunks` and returns what the reader got and the breaker counted. */
async function streamThrough(chunks, options = {}) {
  const breaker = new CircuitBreaker({ failureThreshold: 10, fetch: fakeFetch(() => sse(chunks)), ...options });
  const text = await (await breaker.fetch("https://llm.test/v1/stream")).text();
  const { successfulCalls, failedCalls, inFlight } = counts(breaker);
  return { text, successfulCalls, failedCalls, inFlight };
}

const success = { successfulCalls: 1, failedCalls: 0, inFlight: 0 };
const failure = { successfulCalls: 0, failedCalls: 1, inFlight: 0 };
const outcome = ({ successfulCalls, failedCalls, inFlight }) => ({ successfulCalls, failedCalls, inFlight });

const chatChunk = 'data: {"object":"chat.completion.chunk","choices":[{"delta":{"content":"Hi"}}]}\n\n';

describe("streamEnd: a stream that ends cleanly without its end marker was cut short", () => {
  test("OpenAI Chat Completions: whole with data: [DONE], a failure without, and the reader gets every byte either way", async () => {
    assert.deepEqual(outcome(await streamThrough([chatChunk, "data: [DONE]\n\n"])), success);
    const cut = await streamThrough([chatChunk, chatChunk]);
    assert.deepEqual(outcome(cut), failure);
    assert.equal(cut.text, chatChunk + chatChunk, "the body passes through as it came, without an error");
  });

  test("Anthropic Messages: whole with event: message_stop, a failure without", async () => {
    const start = 'event: message_start\ndata: {"type":"message_start"}\n\n';
    const delta = 'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"Hi"}}\n\n';
    const stop = 'event: message_stop\ndata: {"type":"message_stop"}\n\n';
    assert.deepEqual(outcome(await streamThrough([start, delta, stop])), success);
    assert.deepEqual(outcome(await streamThrough([start, delta])), failure);
  });

  test("OpenAI Responses: whole at response.completed or response.incomplete (no [DONE]); response.failed is a failure", async () => {
    const created = 'event: response.created\ndata: {"type":"response.created"}\n\n';
    const end = (type) => `event: ${type}\ndata: {"type":"${type}","response":{}}\n\n`;
    assert.deepEqual(outcome(await streamThrough([created, end("response.completed")])), success);
    assert.deepEqual(outcome(await streamThrough([created, end("response.incomplete")])), success);
    assert.deepEqual(outcome(await streamThrough([created, end("response.failed")])), failure);
    assert.deepEqual(outcome(await streamThrough([created])), failure);
  });

  test("Gemini: whole once a chunk carries a finishReason", async () => {
    const chunk = (extra) => `data: {"candidates":[{"content":{"parts":[{"text":"Hi"}]}${extra}}]}\r\n\r\n`;
    assert.deepEqual(outcome(await streamThrough([chunk(""), chunk(', "finishReason": "STOP"')])), success);
    assert.deepEqual(outcome(await streamThrough([chunk(""), chunk("")])), failure);
  });

  test("an LLM stream cut inside its marker is a failure", async () => {
    assert.deepEqual(outcome(await streamThrough([chatChunk, "data: [DO"])), failure);
  });

  test("by default a stream of no LLM API's shape needs no marker: plain SSE that ends cleanly, or an empty one, is whole", async () => {
    assert.deepEqual(outcome(await streamThrough(["event: tick\ndata: 1\n\n", 'data: {"price":3}\n\n'])), success);
    assert.deepEqual(outcome(await streamThrough([])), success);
    assert.deepEqual(outcome(await streamThrough(["event: tick\ndata: 1\n\n", chatChunk])), failure, "until it shows one");
  });

  test("a marker split byte by byte, in CRLF framing, or last without a line ending still ends the stream", async () => {
    assert.deepEqual(outcome(await streamThrough([chatChunk, ..."data: [DONE]\r\n\r\n"])), success);
    assert.deepEqual(outcome(await streamThrough([chatChunk, "data:[DONE]"])), success);
  });

  test('"llm" is the default, and may be said; null means not set: the default too', async () => {
    assert.deepEqual(outcome(await streamThrough([chatChunk], { streamEnd: "llm" })), failure);
    assert.deepEqual(outcome(await streamThrough([chatChunk], { streamEnd: null })), failure);
    assert.deepEqual(outcome(await streamThrough([chatChunk, "data: [DONE]\n\n"], { streamEnd: null })), success);
  });

  test("false: any clean end is whole (plain SSE), and an error event is still a failure", async () => {
    assert.deepEqual(outcome(await streamThrough(["data: tick\n\n", "data: tock\n\n"], { streamEnd: false })), success);
    assert.deepEqual(outcome(await streamThrough(['data: {"error":"gone"}\n\n'], { streamEnd: false })), failure);
  });

  test("a function names the end marker instead of the built-in ones; it sees each line without its line ending", async () => {
    const lines = [];
    const streamEnd = (line) => (lines.push(line), line === "event: bye");
    assert.deepEqual(outcome(await streamThrough(["data: 1\r\n\r\n", "event: bye\n\n"], { streamEnd })), success);
    assert.deepEqual(lines, ["data: 1", "", "event: bye"], "no line after the marker is asked about");
    assert.deepEqual(outcome(await streamThrough([chatChunk, "data: [DONE]\n\n"], { streamEnd })), failure);
  });

  test("a function that throws has not seen the end: a failure, and the reader still gets the whole body", async () => {
    const streamEnd = () => {
      throw new Error("broken rule");
    };
    const result = await streamThrough(["data: 1\n\n", "data: [DONE]\n\n"], { streamEnd });
    assert.deepEqual(outcome(result), failure);
    assert.equal(result.text, "data: 1\n\ndata: [DONE]\n\n");
  });

  test("a 4xx stream (the caller's fault, not a failure) needs no marker", async () => {
    const notFound = () => new Response("data: no such model\n\n", { status: 404, headers: { "content-type": "text/event-stream" } });
    const breaker = new CircuitBreaker({ fetch: fakeFetch(notFound) });
    await (await breaker.fetch("https://llm.test/")).text();
    assert.deepEqual(outcome(counts(breaker)), success);
  });

  test("a body that is not text/event-stream needs no marker", async () => {
    const breaker = new CircuitBreaker({ fetch: fakeFetch(() => new Response('{"choices":[]}', { headers: { "content-type": "application/json" } })) });
    await (await breaker.fetch("https://llm.test/")).json();
    assert.equal(counts(breaker).successfulCalls, 1);
  });

  test("a bad streamEnd is a TypeError naming it, and builds nothing", () => {
    for (const [value, got] of [["openai", "a string"], [true, "true"], [0, "0"], [{}, "an object"]]) {
      const message = `streamEnd must be "llm", a function (line) => boolean, or false; got ${got}`;
      assert.throws(() => new CircuitBreaker({ streamEnd: value }), { name: "TypeError", message });
    }
  });
});

describe("error events the scanner used to miss", () => {
  test("an error on the last line, with no line ending after it, is a failure", async () => {
    const last = 'data: {"error":{"message":"overloaded"}}';
    assert.deepEqual(outcome(await streamThrough([chatChunk, "data: [DONE]\n\n", last])), failure);
    assert.deepEqual(outcome(await streamThrough([chatChunk, "data: [DONE]\n\n", "event: error"])), failure);
    assert.deepEqual(outcome(await streamThrough([chatChunk, last], { streamEnd: false })), failure);
  });

  test("an error line longer than 64 KB is found by how it begins, in one chunk or in many", async () => {
    const message = "x".repeat(100 * 1024);
    const line = `data: {"error":{"message":"${message}"}}\n\n`;
    const pieces = line.match(/[\s\S]{1,4096}/g);
    assert.deepEqual(outcome(await streamThrough([chatChunk, line, "data: [DONE]\n\n"])), failure);
    assert.deepEqual(outcome(await streamThrough([chatChunk, ...pieces, "data: [DONE]\n\n"])), failure);
    const anthropic = `data: {"type":"error","error":{"message":"${message}"}}\n\n`;
    assert.deepEqual(outcome(await streamThrough([anthropic.slice(0, 70_000), anthropic.slice(70_000), "data: [DONE]\n\n"])), failure);
  });

  test("a long line that is not an error (null error, a long content chunk) passes, and the lines after it are still read", async () => {
    const content = `data: {"error":null,"choices":[{"delta":{"content":"${"y".repeat(100 * 1024)}"}}]}\n\n`;
    const result = await streamThrough([content.slice(0, 50_000), content.slice(50_000), "data: [DONE]\n\n"]);
    assert.deepEqual(outcome(result), success);
    assert.equal(result.text.length, content.length + "data: [DONE]\n\n".length);
    assert.deepEqual(outcome(await streamThrough([content, 'data: {"error":{"message":"late"}}\n\n', "data: [DONE]\n\n"])), failure);
  });
});

describe("a real socket: Node's fetch passes a chunked reply cut by a FIN as a clean end", () => {
  /**
   * A raw HTTP/1.1 server on 127.0.0.1 that sends `head` and `body` to the
   * first request and then closes its side (FIN), whatever the framing says.
   */
  async function cutOff(head, body) {
    const server = createServer((socket) => socket.once("data", () => socket.end(head + body)));
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((resolve) => server.close(resolve)) };
  }
  const chunked = (text) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;

  test("an SSE reply cut before its last chunk and its [DONE] is a failure", async () => {
    const head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    const server = await cutOff(head, chunked(chatChunk) + chunked(chatChunk)); // no "0\r\n\r\n"
    try {
      const breaker = new CircuitBreaker({ name: "fin" });
      const text = await (await breaker.fetch(server.url)).text();
      assert.equal(text, chatChunk + chatChunk, "Node's fetch reads the cut reply as whole");
      assert.deepEqual(outcome(counts(breaker)), failure);
    } finally {
      await server.close();
    }
  });

  test("a reply shorter than its Content-Length is a failure (fetch itself rejects it)", async () => {
    const head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n";
    const server = await cutOff(head, '{"choices":');
    try {
      const breaker = new CircuitBreaker({ name: "short" });
      await assert.rejects((await breaker.fetch(server.url)).text(), TypeError);
      assert.equal(counts(breaker).failedCalls, 1);
    } finally {
      await server.close();
    }
  });
});
