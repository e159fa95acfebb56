// An OpenAI-compatible LLM proxy on Node, protected by edgebreaker, with one
// breaker for every process that shares the Redis (or Valkey) server at REDIS_URL.
//
//   POST /v1/chat/completions   forwarded to UPSTREAM_URL, streaming and not
//   GET  /status                every breaker in this process, as JSON (with .fleet)
//
//   REDIS_URL=redis://127.0.0.1:6379 PROXY_TOKEN=<a long random string> UPSTREAM_API_KEY=sk-... npm start
//
// Every request needs `Authorization: Bearer <PROXY_TOKEN>`; the upstream gets
// UPSTREAM_API_KEY, never anything of the client's. When the upstream keeps
// failing in any process, the fleet opens, and every process answers 503 with
// Retry-After within about a second, without touching the upstream.

import { createHash, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { Readable } from "node:stream";
import { listCircuitBreakers, presets, protectFetch } from "edgebreaker";
import { redisFleet } from "edgebreaker/redis";
import { createClient } from "redis";

const upstreamUrl = (process.env.UPSTREAM_URL ?? "https://api.openai.com").replace(/\/$/, "");
const apiKey = process.env.UPSTREAM_API_KEY;
const proxyToken = process.env.PROXY_TOKEN;
if (!proxyToken) console.error("PROXY_TOKEN is not set: every request will be refused until it is");

const redis = createClient({ url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379" });
// Without a listener node-redis ends the process when Redis goes away. Meanwhile
// each breaker fails open to its own process, and the fleet resumes when Redis is back.
redis.on("error", (error) => console.error(`redis: ${error.message}`));
await redis.connect();

// One breaker per upstream origin, shared by every process syncing through Redis.
const upstreamFetch = protectFetch({
  ...presets.llm, // opens after 3 failures among the fleet's last 10 calls; probes again after 60 s
  firstByteTimeoutMs: 20_000,
  idleTimeoutMs: 20_000,
  onOpen: "respond", // while open: 503 + Retry-After, without touching the upstream
  fleet: redisFleet(redis), // syncs each second while there is traffic: one script, one round trip
});

const server = createServer(async (request, response) => {
  if (!authorized(request)) {
    const [status, message] = proxyToken ? [401, "send Authorization: Bearer <PROXY_TOKEN>"] : [500, "the proxy has no PROXY_TOKEN: set one"];
    return send(response, status, { error: { message, type: "invalid_request_error", code: status === 401 ? "invalid_api_key" : "proxy_token_unset" } });
  }
  if (request.method === "GET" && request.url === "/status") return send(response, 200, listCircuitBreakers());
  if (request.method !== "POST" || request.url !== "/v1/chat/completions") return send(response, 404, { error: { message: "not found" } });
  // A client that leaves cancels the upstream call.
  const left = new AbortController();
  response.on("close", () => response.writableFinished || left.abort());
  const headers = { "content-type": "application/json", ...(apiKey && { authorization: `Bearer ${apiKey}` }) };
  try {
    const answer = await upstreamFetch(`${upstreamUrl}/v1/chat/completions`, { method: "POST", headers, body: await text(request), signal: left.signal });
    // fetch has decoded the body: its length and encoding are no longer the upstream's.
    const passed = [...answer.headers].filter(([name]) => !["content-encoding", "content-length", "transfer-encoding"].includes(name));
    response.writeHead(answer.status, Object.fromEntries(passed));
    if (answer.body) Readable.fromWeb(answer.body).on("error", () => response.destroy()).pipe(response);
    else response.end();
  } catch (error) {
    if (!response.headersSent) send(response, 502, { error: { message: `the upstream failed: ${error.message}` } });
  }
});
server.listen(Number(process.env.PORT ?? 8000), "127.0.0.1", () => console.log(`Listening on http://127.0.0.1:${server.address().port}/`));

/** The token compared by digest in constant time, so the time to answer tells nothing of a guess. */
function authorized(request) {
  if (!proxyToken) return false;
  const [, given = ""] = /^Bearer +(.+)$/i.exec(request.headers.authorization ?? "") ?? [];
  const digest = (token) => createHash("sha256").update(token).digest();
  return timingSafeEqual(digest(given), digest(proxyToken));
}

function send(response, status, json) {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
}

async function text(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}
