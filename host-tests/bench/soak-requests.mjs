// The soak's requests: what each kind asks the fake upstream to do (its own
// faults, carried in the body: the upstream's `requestFaults`), how the client
// reads the answer, and what the client and the breaker must then see. One
// request through the proxy, classified by what the client got.

import { Agent, request as httpRequest } from "node:http";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// What the client saw, one word each.
export const OK = "ok"; // 200, read to its end (a stream to [DONE])
export const BLOCKED = "circuit_open"; // 503 circuit_open from the proxy: the upstream was not asked
export const FALLBACK = "fallback"; // 200 with x-fallback: the proxy's templated reply after a failure without an answer
export const UPSTREAM_ERROR = "upstream_error"; // the upstream's 429/5xx, passed through
export const SSE_ERROR = "sse_error"; // 200 whose stream carried an error event
export const BROKEN = "broken"; // 200 whose body broke off or ended without [DONE]
export const ABORTED = "aborted"; // the client left mid-stream
export const NOT_DELIVERED = "not_delivered"; // the proxy closed the kept-alive connection as the request went out
export const UNEXPECTED = "unexpected"; // anything else: a failure of the soak

// What the breaker records for an admitted call.
export const SUCCESS = "success";
export const FAILURE = "failure";
export const IGNORED = "ignored";

/**
 * Each kind: `stream`, the upstream's `fault` for it, how the client `read`s,
 * and, when the call is admitted, what the client sees (`seen`: one, or a list), what the
 * breaker records (`outcome`) and which upstream counters it moves
 * (`upstream`, see soak-accounting.mjs; null: none, the proxy gave up before
 * the upstream answered).
 * A blocked call is always BLOCKED and counted blocked. The 20 s kinds outlast
 * the example's firstByteTimeoutMs / idleTimeoutMs (20 s).
 */
export const KINDS = {
  // Plain traffic.
  whole: { stream: false, read: "whole", seen: OK, outcome: SUCCESS, upstream: "completions" },
  stream: { stream: true, read: "whole", seen: OK, outcome: SUCCESS, upstream: "streams" },
  slowReader: { stream: true, fault: { chunkCount: 20 }, read: "slow", seen: OK, outcome: SUCCESS, upstream: "streams" },
  // Faults, one at a time (see the scheduler in soak.mjs).
  resetBeforeHeaders: { stream: true, fault: { dropAfterChunks: 0 }, read: "whole", seen: FALLBACK, outcome: FAILURE, upstream: "drops" },
  // A reset right behind the first bytes may overtake them (the proxy's runtime drops what it had not
  // read yet): then the proxy saw no answer at all and replies with its fallback. A failure either way.
  resetMidStream: { stream: true, fault: { dropAfterChunks: 3 }, read: "whole", seen: [BROKEN, FALLBACK], outcome: FAILURE, upstream: "drops" },
  truncatedWhole: { stream: false, fault: { dropAfterChunks: 1 }, read: "whole", seen: [BROKEN, FALLBACK], outcome: FAILURE, upstream: "drops" },
  sseErrorOpenAI: { stream: true, fault: { errorEventAfterChunks: 2 }, read: "whole", seen: SSE_ERROR, outcome: FAILURE, upstream: "errorEvents" },
  sseErrorAnthropic: {
    stream: true,
    fault: { errorEventAfterChunks: 2, errorEventStyle: "anthropic" },
    read: "whole",
    seen: SSE_ERROR,
    outcome: FAILURE,
    upstream: "errorEvents",
  },
  status500: {
    stream: false,
    fault: { errorRate: 1, errorStatus: 500 },
    read: "whole",
    seen: UPSTREAM_ERROR,
    outcome: FAILURE,
    upstream: "injectedErrors",
  },
  status429RetryAfter1s: {
    stream: true,
    fault: { errorRate: 1, errorStatus: 429, retryAfter: 1 },
    read: "whole",
    seen: UPSTREAM_ERROR,
    outcome: FAILURE,
    upstream: "injectedErrors",
  },
  status503RetryAfter1s: {
    stream: false,
    fault: { errorRate: 1, errorStatus: 503, retryAfter: 1 },
    read: "whole",
    seen: UPSTREAM_ERROR,
    outcome: FAILURE,
    upstream: "injectedErrors",
  },
  slowUpstream: {
    stream: true,
    fault: { latencyMs: 150, chunkDelayMs: 20, chunkCount: 5 },
    read: "whole",
    seen: OK,
    outcome: SUCCESS,
    upstream: "streams",
  },
  abandoned: {
    stream: true,
    fault: { chunkDelayMs: 10, chunkCount: 50 },
    read: "abandon",
    seen: ABORTED,
    outcome: IGNORED,
    upstream: "streams",
  },
  // The slow lane: each takes 20 s or more.
  stall: { stream: true, fault: { stallAfterChunks: 2 }, read: "whole", seen: BROKEN, outcome: FAILURE, upstream: "stalls" },
  noHeaders: { stream: true, fault: { latencyMs: 21_000 }, read: "whole", seen: FALLBACK, outcome: FAILURE, upstream: null },
  // ~7 MB: more than the sockets and runtimes buffer, so the pause holds the upstream back too.
  absentReader: { stream: true, fault: { chunkCount: 50_000 }, read: "pause", seen: OK, outcome: SUCCESS, upstream: "streams" },
  // The outage: every connection reset before an answer, until the circuit opens.
  outage: { stream: false, fault: { dropAfterChunks: 0 }, read: "whole", seen: FALLBACK, outcome: FAILURE, upstream: "drops" },
};

/** The plain traffic between faults, in this proportion. */
export const PLAIN = ["whole", "stream", "whole", "stream", "whole", "stream", "whole", "stream", "whole", "slowReader"];

// node:http rather than fetch: a third of the client's CPU per request, which the
// proxy in workerd needs more on two cores.
const agent = new Agent({ keepAlive: true });
const CLIENT_LIMIT_MS = 60_000; // no kind takes this long: a safety net that keeps every loop bounded

/** One kind's request through the proxy at `proxyUrl` (a URL); resolves with what the client saw, never rejects. */
export async function send(proxyUrl, token, kindName) {
  const kind = KINDS[kindName];
  const body = { model: "fake-model", messages: [{ role: "user", content: "soak" }], stream: kind.stream };
  if (kind.fault) body.fault = kind.fault;
  const text = JSON.stringify(body);
  const request = httpRequest({
    host: proxyUrl.hostname,
    port: proxyUrl.port,
    path: "/v1/chat/completions",
    method: "POST",
    agent,
    timeout: CLIENT_LIMIT_MS,
    headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text), authorization: `Bearer ${token}` },
  });
  request.on("timeout", () => request.destroy(new Error(`no answer within ${CLIENT_LIMIT_MS} ms`)));
  let response;
  try {
    response = await new Promise((resolve, reject) => {
      request.once("response", resolve).once("error", reject).end(text);
    });
  } catch (error) {
    // A keep-alive connection the proxy closed as the request went out (Node's docs: retry on
    // reusedSocket + ECONNRESET). workerd does so after a body that broke off mid-way: it ends the
    // chunked body as if complete, then closes, and Node may already have reused the connection.
    // That the proxy never saw the request is for the accounting to confirm.
    if (request.reusedSocket && error.code === "ECONNRESET") return { kind: kindName, seen: NOT_DELIVERED, detail: error.message };
    return { kind: kindName, seen: UNEXPECTED, detail: `request failed: ${error.code ?? error.message}` };
  }
  const status = response.statusCode;
  const whole = () => readBody(response, "whole", request).catch(() => "");
  if (status === 503 && !response.headers["x-fallback"]) {
    if ((await whole()).includes('"code":"circuit_open"')) return { kind: kindName, seen: BLOCKED };
    return { kind: kindName, seen: UPSTREAM_ERROR, status };
  }
  if (status === 429 || status >= 500) {
    await whole();
    return { kind: kindName, seen: UPSTREAM_ERROR, status };
  }
  if (status !== 200) return { kind: kindName, seen: UNEXPECTED, detail: `status ${status}: ${(await whole()).slice(0, 120)}` };
  if (response.headers["x-fallback"]) {
    await whole();
    return { kind: kindName, seen: FALLBACK };
  }
  let answer;
  try {
    answer = await readBody(response, kind.read, request);
  } catch {
    return { kind: kindName, seen: BROKEN };
  }
  if (answer === null) return { kind: kindName, seen: ABORTED };
  return { kind: kindName, seen: classifyBody(answer, kind.stream) };
}

/** The body as text, read the kind's way; null when the client left mid-way. Rejects when it breaks off. */
async function readBody(response, read, request) {
  response.setEncoding("utf8");
  const chunks = response[Symbol.asyncIterator]();
  let text = "";
  if (read !== "whole") {
    const first = await chunks.next();
    if (read === "abandon") {
      request.destroy(); // a client that goes away after the first bytes
      return null;
    }
    text += first.value ?? "";
    // A reader that takes its time after each read ("slow"), or that looks away for
    // longer than the proxy's idleTimeoutMs before reading on ("pause").
    await sleep(read === "pause" ? 25_000 : 2);
  }
  for (let chunk = await chunks.next(); !chunk.done; chunk = await chunks.next()) {
    text += chunk.value;
    if (read === "slow") await sleep(2);
  }
  return text;
}

function classifyBody(text, stream) {
  if (!stream) {
    try {
      return Array.isArray(JSON.parse(text).choices) ? OK : UNEXPECTED;
    } catch {
      return BROKEN; // cut off mid-way: not JSON
    }
  }
  if (/^data: \{"error":|^event: error$/m.test(text)) return SSE_ERROR;
  return text.trimEnd().endsWith("data: [DONE]") ? OK : BROKEN;
}
