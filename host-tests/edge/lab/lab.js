// The fetch lab: one `breaker.fetch` to the fake upstream, made the way a test
// describes, and a report of what the caller saw and what the breaker counted.
// The same module runs in workerd (worker.js) and Deno (deno.js), so every
// judgement rule is proven in both with one list of tests.
//
//   POST /  { upstream, breaker, options?, stream?, abortAfterMs?, read?, readDelayMs?, url?, init?, signal?,
//             direct?, statusAfterMs?, collect? }
//     breaker   registry name (a test uses its own), created with `options` on first use
//     options   breaker and fetch options; functions by name: isFailureResponse "only503", fallback "tagged",
//               streamEnd "atStopChunk"
//     read      "all" (default): read the body to its end · "first-then-cancel": one chunk, then cancel ·
//               "none": look at the status only, never touch the body
//     readDelayMs  a slow reader: wait this long after each chunk
//     url       instead of the upstream's completions URL ("{upstream}" stands for its origin)
//     init      fields over the usual POST's init (method, headers, body), or a value that is not an object
//     signal    "polyfill": an object that looks like an AbortSignal but is not one
//     direct    also make the same call outside any breaker: direct.fetch and direct.request are what the
//               runtime's fetch and Request constructor threw (undefined: nothing)
//     statusAfterMs  wait this long before reading the breaker's status
//     collect   collect garbage (Deno with --v8-flags=--expose-gc) until inFlight is 0, or 50 rounds
//   → { status, retryAfter, fallback, contentType, chunks, text, error, bodyError, direct, collected, breaker: status }

import { getCircuitBreaker } from "edgebreaker";

const functions = {
  only503: (response) => response.status === 503,
  tagged: (error) => new Response(`fallback after ${error.name}`, { headers: { "x-fallback": error.name } }),
  atStopChunk: (line) => line.includes('"finish_reason":"stop"'),
};

export async function lab(request) {
  const plan = await request.json();
  const options = Object.fromEntries(
    Object.entries(plan.options ?? {}).map(([name, value]) => [name, functions[value] ?? value]),
  );
  const breaker = getCircuitBreaker(plan.breaker, options);
  const caller = new AbortController();
  if (plan.abortAfterMs !== undefined) setTimeout(() => caller.abort(), plan.abortAfterMs);
  const url = plan.url === undefined ? `${plan.upstream}/v1/chat/completions` : plan.url.replace("{upstream}", plan.upstream);
  const init = () => {
    if (plan.init !== undefined && (typeof plan.init !== "object" || plan.init === null)) return plan.init;
    return {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "fake-model", messages: [{ role: "user", content: "hello lab" }], stream: plan.stream === true }),
      signal: plan.signal === "polyfill" ? polyfillSignal() : caller.signal,
      ...plan.init,
    };
  };
  const report = {};
  if (plan.direct) report.direct = await direct(url, init);
  await fetchThrough(breaker, url, init(), plan, report);
  if (plan.statusAfterMs !== undefined) await sleep(plan.statusAfterMs);
  if (plan.collect) report.collected = await collectGarbage(() => breaker.getStatus().metrics.inFlight === 0);
  report.breaker = breaker.getStatus();
  return Response.json(report);
}

/** What the runtime itself makes of the call: the errors of its fetch and of its Request constructor. */
async function direct(url, init) {
  const fetched = await fetch(url, init()).then(
    (response) => void response.body?.cancel(),
    (error) => describe(error),
  );
  let request;
  try {
    new Request(url, init());
  } catch (error) {
    request = describe(error);
  }
  return { fetch: fetched, request };
}

/** The call itself, in a function of its own: once it returns, nothing here holds the response any more. */
async function fetchThrough(breaker, url, init, plan, report) {
  try {
    const response = await breaker.fetch(url, init);
    report.status = response.status;
    report.retryAfter = response.headers.get("retry-after");
    report.fallback = response.headers.get("x-fallback");
    report.contentType = response.headers.get("content-type");
    if (plan.read !== "none") await readBody(response, plan.read ?? "all", plan.readDelayMs ?? 0, report);
  } catch (error) {
    report.error = describe(error);
  }
}

async function readBody(response, mode, readDelayMs, report) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  report.chunks = 0;
  report.text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      report.chunks += 1;
      report.text += decoder.decode(value, { stream: true });
      if (mode === "first-then-cancel") return await reader.cancel("the reader lost interest");
      if (readDelayMs > 0) await sleep(readDelayMs);
    }
  } catch (error) {
    report.bodyError = describe(error);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a polyfill hands out: an EventTarget with `aborted` and `reason`, not an AbortSignal. */
function polyfillSignal() {
  const signal = new EventTarget();
  return Object.assign(signal, { aborted: false, reason: undefined, throwIfAborted() {} });
}

/** Whether garbage collection (where the runtime lets a script ask for it) brought `done()` about. */
async function collectGarbage(done) {
  if (typeof globalThis.gc !== "function") return "no gc in this runtime";
  for (let round = 0; round < 50 && !done(); round += 1) {
    globalThis.gc();
    await sleep(10);
  }
  return done();
}

function describe(error) {
  const { name, message, timeout, state, retryAfterMs, breakerName } = error ?? {};
  return { name, message, timeout, state, retryAfterMs, breakerName };
}
