#!/usr/bin/env node
// A tiny static server for the demo page, on 127.0.0.1 only. It serves www/
// (the page and its built bundle in www/dist/) and forwards GET /proxy/status
// to the local edge proxy's /status, so the page can read it same-origin.
// Given a fleet's isolates (startServer's `isolates`, as make demo does), it
// asks every isolate's /status at once instead and answers
// `{ "isolates": [{ name, url, breakers } or { name, url, error }] }`.
// Either answer names the proxy's origin in `x-edge-proxy-origin`, so the page
// can show a request to send it.
//
//   node www/serve.mjs [--port 8080] [--proxy http://127.0.0.1:8787]
//
// --proxy is the edge proxy's origin (its /status is read) or its full status URL.
// The example proxies want their client token: PROXY_TOKEN, sent as a Bearer
// token with each forwarded request (the page itself never sees it).
//
// PORT and EDGE_PROXY_URL work too. Port 0 picks a free port; the URL is printed.

import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const HERE = fileURLToPath(new URL(".", import.meta.url));
export const DEFAULT_PROXY_URL = "http://127.0.0.1:8787";
const PROXY_TIMEOUT_MS = 2000;
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
};

/**
 * Starts the server; resolves to `{ url, close }` once it listens.
 * @param {{ port?: number, root?: string, proxyUrl?: string, isolates?: { name: string, url: string }[], proxyToken?: string }} [options]
 */
export async function startServer({ port = 0, root = HERE, proxyUrl = DEFAULT_PROXY_URL, isolates, proxyToken } = {}) {
  const rootDir = resolve(root);
  const proxy = { url: proxyUrl, isolates, headers: proxyToken ? { authorization: `Bearer ${proxyToken}` } : {} };
  const server = createServer((request, response) => {
    handle(request, response, rootDir, proxy).catch((error) => {
      if (!response.headersSent) send(response, 500, "text/plain; charset=utf-8", String(error?.message ?? error));
      else response.destroy();
    });
  });
  await new Promise((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolveListen);
  });
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    close: () => new Promise((resolveClose) => {
      server.closeAllConnections();
      server.close(() => resolveClose());
    }),
  };
}

async function handle(request, response, rootDir, proxy) {
  if (request.method !== "GET" && request.method !== "HEAD") {
    return send(response, 405, "text/plain; charset=utf-8", "GET or HEAD only\n");
  }
  const { pathname } = new URL(request.url, "http://localhost");
  if (pathname === "/proxy/status") {
    response.setHeader("x-edge-proxy-origin", new URL(proxy.url).origin);
    return proxy.isolates ? gatherStatuses(response, proxy) : forwardStatus(response, proxy);
  }

  let path;
  try {
    path = resolve(join(rootDir, decodeURIComponent(pathname)));
  } catch {
    return send(response, 400, "text/plain; charset=utf-8", "bad path\n");
  }
  if (path !== rootDir && !path.startsWith(rootDir + sep)) return send(response, 403, "text/plain; charset=utf-8", "outside www/\n");
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) path = join(path, "index.html");
  const body = await readFile(path).catch(() => null);
  if (body === null) return send(response, 404, "text/plain; charset=utf-8", `not found: ${pathname}\n`);
  send(response, 200, TYPES[extname(path)] ?? "application/octet-stream", request.method === "HEAD" ? null : body);
}

/** The edge proxy's /status, or 502 with the reason when it cannot be reached. */
async function forwardStatus(response, { url, headers }) {
  const target = statusUrlOf(url);
  try {
    const upstream = await fetch(target, { headers, signal: AbortSignal.timeout(PROXY_TIMEOUT_MS) });
    const body = Buffer.from(await upstream.arrayBuffer());
    send(response, upstream.status, upstream.headers.get("content-type") ?? "application/json", body);
  } catch (error) {
    const reason = error?.cause?.code ?? error?.cause?.message ?? error?.message ?? String(error);
    const body = JSON.stringify({ error: reason, target });
    send(response, 502, "application/json; charset=utf-8", body);
  }
}

/** Every isolate's /status at once, each isolate's breakers or why it did not answer. */
async function gatherStatuses(response, { isolates, headers }) {
  const answers = await Promise.all(
    isolates.map(async ({ name, url }) => {
      const target = statusUrlOf(url);
      try {
        const answer = await fetch(target, { headers, signal: AbortSignal.timeout(PROXY_TIMEOUT_MS) });
        if (!answer.ok) return { name, url, error: `HTTP ${answer.status}` };
        return { name, url, breakers: await answer.json() };
      } catch (error) {
        return { name, url, error: error?.cause?.code ?? error?.cause?.message ?? error?.message ?? String(error) };
      }
    }),
  );
  send(response, 200, "application/json; charset=utf-8", JSON.stringify({ isolates: answers }));
}

/** The proxy's status URL: the URL as given, or its /status when given only an origin. */
function statusUrlOf(proxyUrl) {
  const url = new URL(proxyUrl);
  return url.pathname === "/" ? new URL("/status", url).href : url.href;
}

function send(response, status, type, body) {
  response.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  response.end(body ?? undefined);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: "string" }, proxy: { type: "string" } } });
  const port = Number(values.port ?? process.env.PORT ?? 8080);
  const proxyUrl = values.proxy ?? process.env.EDGE_PROXY_URL ?? DEFAULT_PROXY_URL;
  const { url } = await startServer({ port, proxyUrl, proxyToken: process.env.PROXY_TOKEN }).catch((error) => {
    if (error?.code !== "EADDRINUSE") throw error;
    console.error(`port ${port} on 127.0.0.1 is taken: pass --port <another port> (or set PORT), 0 for any free one`);
    process.exit(1);
  });
  console.log(`edgebreaker demo page: ${url}  (edge proxy status from ${statusUrlOf(proxyUrl)})`);
}
