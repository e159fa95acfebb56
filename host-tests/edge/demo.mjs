#!/usr/bin/env node
// make demo: the demo page, the Cloudflare example (js/examples/cloudflare) in
// workerd and the fake LLM upstream, all on 127.0.0.1; no key, no internet.
//
//   node host-tests/edge/demo.mjs               run until Ctrl-C; prints what to open and curl
//   node host-tests/edge/demo.mjs --script      no page: drive traffic while the upstream fails
//                                               and recovers, print each step, exit
//                                               (--retry-after 4: the upstream's, in seconds)
//
//   PAGE_PORT (8080), PROXY_PORT (8787), UPSTREAM_PORT (8788) move them; 0 picks a
//   free one (the script's default). PROXY_TOKEN is the proxy's client token
//   (default: a random one, printed).
//
// It bundles the example against js/ as built by `make build` (linked, not packed), unless
// EDGEBREAKER_CONSUMER names a folder with the package installed (the tests pass the packed one).
// Whatever it made in the temporary folder is removed on every exit: Ctrl-C, an error, a taken port.

import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { constants, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startServer } from "../../www/serve.mjs";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { repoDir } from "../harness/packed.mjs";
import { buildPage } from "../../www/build.mjs";
import { examplesDir, stage, startCloudflareExample } from "./runtimes.mjs";
import { chatBody, sleep } from "./upstream.mjs";

const { values } = parseArgs({
  options: {
    script: { type: "boolean", default: false },
    "retry-after": { type: "string", default: "4" },
  },
});
const scripted = values.script;
const retryAfterSeconds = Number(values["retry-after"]);
const upstreamPort = portFrom("UPSTREAM_PORT", scripted ? 0 : 8788);
const proxyPort = portFrom("PROXY_PORT", scripted ? 0 : 8787);
const pagePort = portFrom("PAGE_PORT", 8080);
const proxyToken = process.env.PROXY_TOKEN || randomBytes(16).toString("hex");
const authorized = { authorization: `Bearer ${proxyToken}` };

// What to stop, last started first; and the temporary folder, removed even on an uncaught error.
const running = [];
let linked;
process.on("exit", () => linked && rmSync(linked, { recursive: true, force: true }));
const stopAll = async () => {
  for (const stop of running.reverse()) await stop();
  running.length = 0;
};
// Miniflare's own exit hook may end the process first, with the same code, once it has
// stopped workerd; the "exit" handler above still removes the folder.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(signal, () => stopAll().then(() => process.exit(128 + constants.signals[signal])));
}

// First the ports, then the page's build: a taken port or a missing build fails before anything starts
// (workerd would print a stack of its own for a taken port).
await explainIfTaken("UPSTREAM_PORT", upstreamPort);
await explainIfTaken("PROXY_PORT", proxyPort);
if (!scripted) {
  await explainIfTaken("PAGE_PORT", pagePort);
  await buildPage({ quiet: true });
}
if (!process.env.EDGEBREAKER_CONSUMER) {
  linked = mkdtempSync(join(tmpdir(), "edgebreaker-demo-"));
  mkdirSync(join(linked, "node_modules"));
  symlinkSync(join(repoDir, "js"), join(linked, "node_modules", "edgebreaker"), "dir");
  process.env.EDGEBREAKER_CONSUMER = linked;
}

const upstream = await startOrExplain("UPSTREAM_PORT", upstreamPort, () => startFakeUpstream({ port: upstreamPort }), "close");
const proxy = await startOrExplain(
  "PROXY_PORT",
  proxyPort,
  () => startCloudflareExample(stage(join(examplesDir, "cloudflare")), { UPSTREAM_URL: upstream.url, PROXY_TOKEN: proxyToken }, { port: proxyPort }),
  "stop",
);

if (scripted) {
  try {
    await runScript();
  } finally {
    await stopAll();
  }
} else {
  const page = await startOrExplain("PAGE_PORT", pagePort, () => startServer({ port: pagePort, proxyUrl: proxy.url, proxyToken }), "close");
  printWhatToTry(page.url);
}

/** The port in environment variable `name`, or `fallback`; anything but a port number ends the demo with one line. */
function portFrom(name, fallback) {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const port = Number(text);
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  console.error(`${name} must be a port number from 0 to 65535; got ${JSON.stringify(text)}`);
  process.exit(1);
}

/** Ends the demo with one line naming the variable that moves it if `port` cannot be listened on. */
async function explainIfTaken(name, port) {
  if (port === 0) return;
  const code = await new Promise((resolve) => {
    const probe = createServer()
      .once("error", (error) => resolve(error.code))
      .listen(port, "127.0.0.1", () => probe.close(() => resolve(null)));
  });
  if (code) portTaken(name, port, code);
}

function portTaken(name, port, code) {
  const why = code === "EADDRINUSE" || code === "ERR_ADDRESS_IN_USE" ? "is taken" : `cannot be used (${code})`;
  console.error(`port ${port} on 127.0.0.1 ${why}: set ${name} to a free one, e.g. ${name}=0 make ${scripted ? "demo-script" : "demo"} (0 picks any)`);
  process.exit(1);
}

/**
 * `start()`'s server, registered to be stopped by its `stopMethod`. If it cannot start,
 * everything started so far is stopped; a port taken since the check ends the demo with
 * the same one line.
 */
async function startOrExplain(name, port, start, stopMethod) {
  try {
    const server = await start();
    running.push(() => server[stopMethod]());
    return server;
  } catch (error) {
    await stopAll();
    if (error?.code !== "EADDRINUSE" && error?.code !== "ERR_ADDRESS_IN_USE") throw error; // node · Miniflare
    portTaken(name, port, error.code);
  }
}

function printWhatToTry(pageUrl) {
  const chat = `curl -s ${proxy.url}/v1/chat/completions -H 'authorization: Bearer ${proxyToken}' -d '{"model":"fake-model","messages":[{"role":"user","content":"hi"}]`;
  const control = `curl -s ${upstream.url}/__control`;
  console.log(`edgebreaker demo: the page, and the Cloudflare example (js/examples/cloudflare) in workerd before a fake LLM upstream.

  page      ${pageUrl}    the wasm core in your browser; its second panel shows the proxy's breakers live
  proxy     ${proxy.url}    the Worker, with UPSTREAM_URL=${upstream.url} and PROXY_TOKEN=${proxyToken}
  upstream  ${upstream.url}    fake OpenAI chat completions; faults at /__control

Ask, streamed or not, and look at the breaker (the proxy wants its token: 401 without):
  ${chat}}'
  ${chat},"stream":true}' -N
  curl -s ${proxy.url}/status -H 'authorization: Bearer ${proxyToken}'

Make the upstream fail (a 503 with Retry-After opens the circuit for that long;
three plain 500s open it for 60 s), then heal it:
  ${control}/faults -d '{"errorRate":1,"errorStatus":503,"retryAfter":10}'
  ${control}/faults -d '{"errorRate":1,"errorStatus":500}'
  ${control}/faults -d '{"dropAfterChunks":0}'          # no answer at all: the fallback's templated reply
  ${control}/reset -X POST

The scripted run: make demo-script.   Ctrl-C stops.`);
}

async function runScript() {
  const started = performance.now();
  const stamp = () => `+${((performance.now() - started) / 1000).toFixed(1).padStart(4)}s`;
  const note = (text) => console.log(`${stamp()}  ${text}`);
  const tick = retryAfterSeconds >= 2 ? 1000 : 400;

  const status = async () => (await (await fetch(`${proxy.url}/status`, { headers: authorized })).json())[upstream.url];
  const describe = ({ state, retryAfterMs, metrics }) =>
    `${state.padEnd(9)}${state === "open" ? ` probe in ${(retryAfterMs / 1000).toFixed(1)} s` : ""}` +
    ` · failed ${metrics.failedCalls} · blocked ${metrics.blockedCalls} · upstream saw ${upstream.counters.requests}`;
  const ask = async ({ stream = false } = {}) => {
    const response = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: authorized, body: chatBody({ stream }) });
    const text = await response.text();
    const fromBreaker = response.status === 503 && text.includes('"circuit_open"');
    const source = fromBreaker ? "the breaker" : response.headers.get("x-fallback") ? "the fallback" : "the upstream";
    const retryAfter = response.headers.get("retry-after");
    const what = `${stream ? "stream " : "request"} -> ${response.status} from ${source}${retryAfter ? `, Retry-After: ${retryAfter}` : ""}`;
    const breaker = await status();
    note(`${what.padEnd(52)} breaker ${describe(breaker)}`);
    return breaker;
  };
  const askWhileOpen = async () => {
    let breaker = await status();
    while (breaker.state === "open") {
      breaker = await ask();
      await sleep(tick);
      breaker = await status();
    }
  };

  note(`proxy ${proxy.url} (workerd) -> upstream ${upstream.url}; presets.llm: 3 failures open, 2 probe successes close`);
  note("the upstream is healthy");
  await ask();
  await ask({ stream: true });

  upstream.setFaults({ errorRate: 1, errorStatus: 503, retryAfter: retryAfterSeconds });
  note(`the upstream is overloaded: 503 with Retry-After: ${retryAfterSeconds}`);
  await ask(); // the upstream's 503 + Retry-After opens the circuit for that long
  await askWhileOpen(); // refused at once, the upstream left alone

  note(`breaker ${describe(await status())}`);
  note("the next request is a probe, and the upstream is still down");
  await ask(); // the probe fails: open again
  upstream.setFaults({ errorRate: 0 });
  note("the upstream recovers");
  await askWhileOpen();

  note(`breaker ${describe(await status())}`);
  note("probes go through, one at a time; two successes close the circuit");
  await ask();
  const final = await ask();
  note(final.state === "closed" ? "closed again: traffic flows" : `unexpected: the breaker is ${final.state}`);
  if (final.state !== "closed") process.exitCode = 1;
}
