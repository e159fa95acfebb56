// A fake OpenAI-compatible upstream on 127.0.0.1 that fails on request: the
// upstream of the edge tests and of `make demo`. No key, no internet.
//
//   POST /v1/chat/completions   a completion, streamed (SSE) when "stream": true
//   GET  /v1/models             one model
//   GET  /__control             { faults, counters }
//   POST /__control/faults      merge a JSON object of faults (see faults.mjs)
//   POST /__control/reset       default faults, zeroed counters

import { createServer } from "node:http";
import { completion, completionId, errorBody, replyPieces, streamErrorEvent, streamEvents } from "./chat.mjs";
import { DEFAULT_FAULTS, ErrorSchedule, mergeFaults } from "./faults.mjs";

const MAX_BODY_BYTES = 1 << 20;

function zeroCounters() {
  return {
    requests: 0, // every request under /v1/: what "reached the upstream" means
    injectedErrors: 0,
    completions: 0, // non-streamed replies sent in full
    streamsStarted: 0,
    streamsCompleted: 0, // sent to [DONE]
    streamsClosedEarly: 0, // the client went away before the end of a stream
    errorEvents: 0,
    stalls: 0,
    drops: 0,
    truncations: 0, // streams ended early by truncateAfterChunks or finAfterChunks
    inFlight: 0,
    maxInFlight: 0,
  };
}

export async function startFakeUpstream({ host = "127.0.0.1", port = 0, faults = {} } = {}) {
  let currentFaults = mergeFaults(DEFAULT_FAULTS, faults);
  let counters = zeroCounters();
  const errorSchedule = new ErrorSchedule();

  const server = createServer({ noDelay: true, keepAliveTimeout: 5000 }, (req, res) => {
    route(req, res).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(500, `fake upstream bug: ${error.message}`));
      else res.destroy();
    });
  });

  async function route(req, res) {
    const path = new URL(req.url, "http://upstream").pathname;
    if (path.startsWith("/__control")) return control(req, res, path);
    if (!path.startsWith("/v1/")) return sendJson(res, 404, errorBody(404, `no route ${req.method} ${path}`));
    counters.requests += 1;
    counters.inFlight += 1;
    counters.maxInFlight = Math.max(counters.maxInFlight, counters.inFlight);
    res.once("close", () => (counters.inFlight -= 1));
    if (req.method === "GET" && path === "/v1/models") {
      return sendJson(res, 200, { object: "list", data: [{ id: "fake-model", object: "model", created: 0, owned_by: "edgebreaker" }] });
    }
    if (req.method !== "POST" || path !== "/v1/chat/completions") {
      return sendJson(res, 404, errorBody(404, `no route ${req.method} ${path}`));
    }
    const body = await readBody(req);
    let request;
    try {
      request = JSON.parse(body);
    } catch {
      return sendJson(res, 400, errorBody(400, "the body is not valid JSON"));
    }
    if (!Array.isArray(request?.messages)) return sendJson(res, 400, errorBody(400, "messages is required"));
    let faults = currentFaults;
    if (faults.requestFaults && request.fault !== undefined) {
      // A mix of faults chosen request by request (the soak bench), over the current ones.
      try {
        faults = mergeFaults(faults, request.fault);
      } catch (error) {
        return sendJson(res, 400, errorBody(400, error.message));
      }
    }
    return answer(res, request, faults);
  }

  async function answer(res, request, faults) {
    const gone = closeSignal(res);
    await pause(faults.latencyMs, gone);
    if (gone.aborted) return;
    if (faults.dropAfterChunks === 0) return drop(res);
    if (errorSchedule.next(faults.errorRate)) {
      counters.injectedErrors += 1;
      const headers = faults.retryAfter === null ? {} : { "retry-after": String(faults.retryAfter) };
      if (faults.stallErrorBody) return stallError(res, faults.errorStatus, headers);
      return sendJson(res, faults.errorStatus, errorBody(faults.errorStatus, "injected by the fake upstream"), headers);
    }
    const id = completionId();
    const pieces = replyPieces(request, faults.chunkCount);
    if (!request.stream) return answerWhole(res, completion(id, request, pieces), faults);
    return answerStream(res, streamEvents(id, request, pieces), faults, gone);
  }

  function answerWhole(res, reply, faults) {
    const text = JSON.stringify(reply);
    if (faults.dropAfterChunks !== null) {
      // Headers and half the body, then the connection goes: a truncated reply.
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
      res.write(text.slice(0, text.length >> 1));
      return drop(res);
    }
    counters.completions += 1;
    sendJson(res, 200, reply);
  }

  async function answerStream(res, events, faults, gone) {
    counters.streamsStarted += 1;
    // After Connection: close a client may take a FIN for the end of the reply (Node 20's fetch does, even mid-chunk).
    const closing = faults.finAfterChunks === null ? {} : { connection: "close" };
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", ...closing });
    res.flushHeaders();
    for (const [index, event] of events.entries()) {
      if (index === faults.stallAfterChunks) {
        counters.stalls += 1;
        return; // never another byte; the connection stays until the client gives up
      }
      if (index === faults.errorEventAfterChunks) {
        counters.errorEvents += 1;
        if (!faults.silenceAfterErrorEvent) return res.end(streamErrorEvent(faults.errorEventStyle));
        counters.stalls += 1;
        return res.write(streamErrorEvent(faults.errorEventStyle)); // and then nothing, the connection kept open
      }
      if (index === faults.dropAfterChunks) return drop(res);
      if (index === faults.truncateAfterChunks) {
        counters.truncations += 1;
        return res.end(); // a whole HTTP reply (its last chunk sent) of a stream that is not whole
      }
      if (index === faults.finAfterChunks) {
        counters.truncations += 1;
        return res.socket?.end(); // FIN, without the 0-length chunk that ends a chunked reply
      }
      if (index > 0) await pause(faults.chunkDelayMs, gone);
      if (gone.aborted) {
        counters.streamsClosedEarly += 1;
        return;
      }
      res.write(event);
    }
    counters.streamsCompleted += 1;
    res.end();
  }

  /** An error whose body starts and never goes on: the connection stays until the client gives up. */
  function stallError(res, status, headers) {
    counters.stalls += 1;
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.write('{"error":');
  }

  function drop(res) {
    counters.drops += 1;
    res.socket?.destroy();
  }

  async function control(req, res, path) {
    if (req.method === "GET" && path === "/__control") return sendJson(res, 200, snapshot());
    if (req.method === "POST" && path === "/__control/faults") {
      try {
        setFaults(JSON.parse((await readBody(req)) || "{}"));
      } catch (error) {
        return sendJson(res, 400, { error: { message: error.message } });
      }
      return sendJson(res, 200, snapshot());
    }
    if (req.method === "POST" && path === "/__control/reset") {
      reset();
      return sendJson(res, 200, snapshot());
    }
    sendJson(res, 404, { error: { message: `no control route ${req.method} ${path}` } });
  }

  function setFaults(update) {
    currentFaults = mergeFaults(currentFaults, update);
    errorSchedule.reset();
  }

  function reset() {
    currentFaults = DEFAULT_FAULTS;
    counters = { ...zeroCounters(), inFlight: counters.inFlight };
    errorSchedule.reset();
  }

  function snapshot() {
    return { faults: currentFaults, counters: { ...counters } };
  }

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const url = `http://${address.address}:${address.port}`;
  return {
    url,
    port: address.port,
    get faults() {
      return currentFaults;
    },
    get counters() {
      return { ...counters };
    },
    setFaults,
    reset,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error("request body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Aborted when the response closes before it was finished: the client went away. */
function closeSignal(res) {
  const controller = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

function pause(ms, signal) {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const stop = () => (clearTimeout(timer), resolve());
    const timer = setTimeout(() => (signal.removeEventListener("abort", stop), resolve()), ms);
    signal.addEventListener("abort", stop, { once: true });
  });
}
