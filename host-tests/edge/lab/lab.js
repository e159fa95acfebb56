// The fetch lab: one `breaker.fetch` to the fake upstream, made the way a test
// describes, and a report of what the caller saw and what the breaker counted.
// The same module runs in workerd (worker.js) and Deno (deno.js), so every
// judgement rule is proven in both with one list of tests.
//
//   POST /  { upstream, breaker, options?, stream?, abortAfterMs?, read? }
//     breaker   registry name (a test uses its own), created with `options` on first use
//     options   breaker and fetch options; functions by name: isFailureResponse "only503", fallback "tagged",
//               streamEnd "atStopChunk"
//     read      "all" (default): read the body to its end · "first-then-cancel": one chunk, then cancel
//   → { status, retryAfter, fallback, contentType, chunks, text, error, bodyError, breaker: status }

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
  const report = {};
  try {
    const response = await breaker.fetch(`${plan.upstream}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "fake-model", messages: [{ role: "user", content: "hello lab" }], stream: plan.stream === true }),
      signal: caller.signal,
    });
    report.status = response.status;
    report.retryAfter = response.headers.get("retry-after");
    report.fallback = response.headers.get("x-fallback");
    report.contentType = response.headers.get("content-type");
    await readBody(response, plan.read ?? "all", report);
  } catch (error) {
    report.error = describe(error);
  }
  report.breaker = breaker.getStatus();
  return Response.json(report);
}

async function readBody(response, mode, report) {
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
    }
  } catch (error) {
    report.bodyError = describe(error);
  }
}

function describe(error) {
  const { name, message, timeout, state, retryAfterMs, breakerName } = error ?? {};
  return { name, message, timeout, state, retryAfterMs, breakerName };
}
