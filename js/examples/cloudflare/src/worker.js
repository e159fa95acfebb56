// An OpenAI-compatible LLM proxy on Cloudflare Workers, protected by edgebreaker.
//
//   POST /v1/chat/completions   forwarded to UPSTREAM_URL, streaming and not
//   GET  /metrics               every breaker in this isolate, in Prometheus' text format
//   GET  /status                every breaker in this isolate, as JSON (its `fleet` field: the fleet's view)
//
// Every request needs `Authorization: Bearer <PROXY_TOKEN>` (an OpenAI client
// sends its apiKey so: give it the proxy token). The upstream gets the
// Worker's own UPSTREAM_API_KEY, never anything of the client's.
//
// When the upstream keeps failing the circuit opens: callers get 503 with
// Retry-After at once and the upstream is left alone until a probe shows it
// has recovered. A call that fails with no answer at all (network error,
// timeout) gets a templated reply instead: the fallback. Every change of state
// is logged as one JSON line on stdout, with its cause (e.g.
// {"level":"warn","message":"circuit breaker … opened: 3 of 3 calls failed; …","cause":"failure_threshold",…}).
//
// The breaker is one for the whole fleet: every isolate, in every data centre,
// reports its outcomes to a coordinator (a Durable Object, bound as
// BREAKER_FLEET in wrangler.toml) in the background, once a second while it has
// traffic, and takes the fleet's state back. So failures seen anywhere open the
// circuit everywhere, and while it recovers the fleet as a whole sends
// presets.llm's one probe at a time, not one per isolate. No request waits on
// the coordinator while the circuit is closed or open; if the coordinator
// fails, each isolate carries on with its own breaker. An upstream's
// Retry-After opens the whole fleet for just that long. Without the binding
// each isolate keeps a breaker of its own (GET /status then shows `fleet: null`).

import { env } from "cloudflare:workers";
import { listCircuitBreakers, presets, protectFetch } from "edgebreaker";
import { PROMETHEUS_CONTENT_TYPE, prometheusMetrics } from "edgebreaker/prometheus";
import { durableObjectFleet } from "edgebreaker/cloudflare";

// The coordinator's class: the BREAKER_FLEET binding names it, so the Worker exports it.
export { FleetCoordinator } from "edgebreaker/cloudflare";

// Module scope: one breaker per upstream origin, shared by every request this isolate serves
// (env imported from "cloudflare:workers" is the same env the fetch handler gets).
const upstreamFetch = protectFetch({
  ...presets.llm, // opens after 3 failures among the last 10 calls; probes again after 60 s
  firstByteTimeoutMs: 20_000, // no response headers within 20 s: a failure
  idleTimeoutMs: 20_000, // a stream silent for 20 s: a failure
  onOpen: "respond", // while open: 503 + Retry-After, without touching the upstream
  fallback: (_error, _input, init) => templatedReply(init.body),
  logger: { debug: logLine("debug"), info: logLine("info"), warn: logLine("warn") }, // every change of state, with its cause
  // Syncs once a second; a sync or a lease has 500 ms before the isolate goes on alone.
  fleet: env.BREAKER_FLEET ? durableObjectFleet(env.BREAKER_FLEET) : null,
});

export default {
  async fetch(request, env) {
    const refusal = await refuseUnlessAuthorized(request, env.PROXY_TOKEN);
    if (refusal) return refusal;
    const { pathname } = new URL(request.url);
    if (request.method === "GET" && pathname === "/status") return Response.json(listCircuitBreakers());
    if (request.method === "GET" && pathname === "/metrics") {
      return new Response(prometheusMetrics(), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
    }
    if (request.method === "POST" && pathname === "/v1/chat/completions") {
      const headers = new Headers({ "content-type": "application/json" });
      if (env.UPSTREAM_API_KEY) headers.set("authorization", `Bearer ${env.UPSTREAM_API_KEY}`);
      const upstream = `${env.UPSTREAM_URL.replace(/\/$/, "")}${pathname}`;
      // request.signal: a client that leaves cancels the upstream call (wrangler.toml enables it).
      return upstreamFetch(upstream, { method: "POST", headers, body: await request.text(), signal: request.signal });
    }
    return errorReply(404, "not found", "invalid_request_error");
  },
};

/**
 * Without a token the proxy would be open: anyone who finds its URL spends the
 * upstream key. So it refuses every request until PROXY_TOKEN is set, and then
 * every request without it. The digests are compared in constant time, so the
 * time to answer tells nothing of how close a guess came (or of the token's length).
 */
async function refuseUnlessAuthorized(request, proxyToken) {
  if (!proxyToken) {
    const message = "the proxy has no PROXY_TOKEN: set one with `npx wrangler secret put PROXY_TOKEN` (for wrangler dev: in .dev.vars)";
    return errorReply(500, message, "server_error", "proxy_token_unset");
  }
  const [, given = ""] = /^Bearer +(.+)$/i.exec(request.headers.get("authorization") ?? "") ?? [];
  const encoder = new TextEncoder();
  const [givenDigest, expectedDigest] = await Promise.all(
    [given, proxyToken].map((token) => crypto.subtle.digest("SHA-256", encoder.encode(token))),
  );
  if (crypto.subtle.timingSafeEqual(givenDigest, expectedDigest)) return null;
  const message = "a wrong or missing proxy token: send Authorization: Bearer <PROXY_TOKEN>";
  return errorReply(401, message, "invalid_request_error", "invalid_api_key", { "www-authenticate": "Bearer" });
}

/** A logger level's line: the sentence and the change with its cause and figures, as one JSON line for a log pipeline. */
function logLine(level) {
  return (message, change) => console.log(JSON.stringify({ level, message, ...change }));
}

/** An error in the shape OpenAI's API and clients use. */
function errorReply(status, message, type, code = null, headers = {}) {
  return Response.json({ error: { message, type, param: null, code } }, { status, headers });
}

/** A chat completion saying the assistant is unavailable, streamed if the request asked for a stream. */
function templatedReply(requestBody) {
  let request = {};
  try {
    request = JSON.parse(requestBody);
  } catch {} // the client's JSON was broken: answer without echoing anything of it
  const content = "The assistant is unavailable right now. Please try again in a minute.";
  const reply = { id: "fallback", created: Math.floor(Date.now() / 1000), model: request.model ?? "fallback" };
  const headers = { "x-fallback": "templated" };
  if (!request.stream) {
    const message = { role: "assistant", content };
    return Response.json({ ...reply, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "stop" }] }, { headers });
  }
  const chunk = (delta, finish_reason) =>
    `data: ${JSON.stringify({ ...reply, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason }] })}\n\n`;
  const body = chunk({ role: "assistant", content }, null) + chunk({}, "stop") + "data: [DONE]\n\n";
  return new Response(body, { headers: { ...headers, "content-type": "text/event-stream" } });
}
