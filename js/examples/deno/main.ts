// An OpenAI-compatible LLM proxy on Deno, protected by edgebreaker.
//
//   POST /v1/chat/completions   forwarded to UPSTREAM_URL, streaming and not
//   GET  /metrics               every breaker in this process, in Prometheus' text format
//   GET  /status                every breaker in this process, as JSON
//
//   PROXY_TOKEN=<a long random string> UPSTREAM_API_KEY=sk-... deno task start
//
// Every request needs `Authorization: Bearer <PROXY_TOKEN>` (an OpenAI client
// sends its apiKey so: give it the proxy token). The upstream gets the
// server's own UPSTREAM_API_KEY, never anything of the client's.
//
// When the upstream keeps failing the circuit opens: callers get 503 with
// Retry-After at once and the upstream is left alone until a probe shows it
// has recovered. A call that fails with no answer at all (network error,
// timeout) gets a templated reply instead: the fallback. Every change of state
// is logged as one JSON line on stdout, with its cause (e.g.
// {"level":"warn","message":"circuit breaker … opened: 3 of 3 calls failed; …","cause":"failure_threshold",…}).
//
// With FLEET_KV set, the breaker is one for every process of the proxy (every
// isolate of a Deno Deploy project, say): each syncs with a Deno KV database
// in the background, so failures seen anywhere open the circuit everywhere.
// FLEET_KV=default opens `Deno.openKv()` (on Deno Deploy, the project's
// database); a URL names a self-hosted denokv server (its token in
// DENO_KV_ACCESS_TOKEN). Unset, each process keeps a breaker of its own, and
// GET /status shows `fleet: null`.

import { listCircuitBreakers, presets, protectFetch, type StateChange } from "edgebreaker";
import { denoKvFleet } from "edgebreaker/deno";
import { PROMETHEUS_CONTENT_TYPE, prometheusMetrics } from "edgebreaker/prometheus";

const upstreamUrl = (Deno.env.get("UPSTREAM_URL") ?? "https://api.openai.com").replace(/\/$/, "");
const apiKey = Deno.env.get("UPSTREAM_API_KEY");
const proxyToken = Deno.env.get("PROXY_TOKEN");
if (!proxyToken) console.error("PROXY_TOKEN is not set: every request will be refused until it is");
const fleetKv = Deno.env.get("FLEET_KV");
const fleet = fleetKv ? denoKvFleet(await Deno.openKv(fleetKv === "default" ? undefined : fleetKv)) : null;

// One breaker per upstream origin, shared by every request this process serves.
const upstreamFetch = protectFetch({
  ...presets.llm, // opens after 3 failures among the last 10 calls; probes again after 60 s
  firstByteTimeoutMs: 20_000, // no response headers within 20 s: a failure
  idleTimeoutMs: 20_000, // a stream silent for 20 s: a failure
  onOpen: "respond", // while open: 503 + Retry-After, without touching the upstream
  fallback: (_error, _input, init) => templatedReply(init.body),
  fleet, // one breaker for every process sharing the Deno KV database (FLEET_KV), or null: this process's own
  logger: { debug: logLine("debug"), info: logLine("info"), warn: logLine("warn") }, // every change of state, with its cause
});

Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.env.get("PORT") ?? 8000) }, async (request) => {
  const refusal = await refuseUnlessAuthorized(request);
  if (refusal) return refusal;
  const { pathname } = new URL(request.url);
  if (request.method === "GET" && pathname === "/status") return Response.json(listCircuitBreakers());
  if (request.method === "GET" && pathname === "/metrics") {
    return new Response(prometheusMetrics(), { headers: { "content-type": PROMETHEUS_CONTENT_TYPE } });
  }
  if (request.method === "POST" && pathname === "/v1/chat/completions") {
    const headers = new Headers({ "content-type": "application/json" });
    if (apiKey) headers.set("authorization", `Bearer ${apiKey}`);
    // request.signal: a client that leaves cancels the upstream call.
    const body = await request.text();
    return upstreamFetch(`${upstreamUrl}${pathname}`, { method: "POST", headers, body, signal: request.signal });
  }
  return errorReply(404, "not found", "invalid_request_error");
});

/**
 * Without a token the proxy would be open: anyone who finds its URL spends the
 * upstream key. So it refuses every request until PROXY_TOKEN is set, and then
 * every request without it. The digests are compared in constant time, so the
 * time to answer tells nothing of how close a guess came (or of the token's length).
 */
async function refuseUnlessAuthorized(request: Request): Promise<Response | null> {
  if (!proxyToken) return errorReply(500, "the proxy has no PROXY_TOKEN: set one in its environment", "server_error", "proxy_token_unset");
  const [, given = ""] = /^Bearer +(.+)$/i.exec(request.headers.get("authorization") ?? "") ?? [];
  const encoder = new TextEncoder();
  const [givenDigest, expectedDigest] = await Promise.all(
    [given, proxyToken].map(async (token) => new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(token)))),
  );
  let difference = 0; // every byte compared, no early exit: Deno has no crypto.subtle.timingSafeEqual
  for (let index = 0; index < givenDigest.length; index += 1) difference |= givenDigest[index] ^ expectedDigest[index];
  if (difference === 0) return null;
  const message = "a wrong or missing proxy token: send Authorization: Bearer <PROXY_TOKEN>";
  return errorReply(401, message, "invalid_request_error", "invalid_api_key", { "www-authenticate": "Bearer" });
}

/** A logger level's line: the sentence and the change with its cause and figures, as one JSON line for a log pipeline. */
function logLine(level: string) {
  return (message: string, change: StateChange & { stateChanges: number }) => console.log(JSON.stringify({ level, message, ...change }));
}

/** An error in the shape OpenAI's API and clients use. */
function errorReply(status: number, message: string, type: string, code: string | null = null, headers: HeadersInit = {}): Response {
  return Response.json({ error: { message, type, param: null, code } }, { status, headers });
}

/** A chat completion saying the assistant is unavailable, streamed if the request asked for a stream. */
function templatedReply(requestBody: unknown): Response {
  let request: { model?: string; stream?: boolean } = {};
  try {
    request = JSON.parse(String(requestBody));
  } catch {} // the client's JSON was broken: answer without echoing anything of it
  const content = "The assistant is unavailable right now. Please try again in a minute.";
  const reply = { id: "fallback", created: Math.floor(Date.now() / 1000), model: request.model ?? "fallback" };
  const headers = { "x-fallback": "templated" };
  if (!request.stream) {
    const message = { role: "assistant", content };
    return Response.json({ ...reply, object: "chat.completion", choices: [{ index: 0, message, finish_reason: "stop" }] }, { headers });
  }
  const chunk = (delta: object, finish_reason: string | null) =>
    `data: ${JSON.stringify({ ...reply, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason }] })}\n\n`;
  const body = chunk({ role: "assistant", content }, null) + chunk({}, "stop") + "data: [DONE]\n\n";
  return new Response(body, { headers: { ...headers, "content-type": "text/event-stream" } });
}
