// js/examples/node-redis run as written (`npm start`'s command): two proxy
// processes sharing a real redis-server, before the fake upstream. One
// process's failures open the other's breaker through the fleet.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { startFakeUpstream } from "../fake-upstream/server.mjs";
import { examplesDir, stage } from "../edge/runtimes.mjs";
import { chatBody, sleep } from "../edge/upstream.mjs";
import { hostTestsDir } from "../harness/packed.mjs";
import { startRedisServer } from "../harness/redis-server.mjs";

const proxyToken = "proxy-token-for-the-tests";
const authorized = { authorization: `Bearer ${proxyToken}` };

/** The example beside the installed package; its `redis` dependency is host-tests' own (a link, as npm install would place it). */
const folder = stage(join(examplesDir, "node-redis"));
mkdirSync(join(folder, "node_modules"), { recursive: true });
symlinkSync(join(hostTestsDir, "node_modules", "redis"), join(folder, "node_modules", "redis"), "dir");

/** The example as `npm start` runs it, with `env`; resolves once it listens. */
function startExample(env) {
  const [program, ...args] = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")).scripts.start.split(/\s+/);
  assert.equal(program, "node");
  const child = spawn(process.execPath, args, { cwd: folder, env: { ...process.env, PORT: "0", PROXY_TOKEN: proxyToken, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the example did not listen within 15 s:\n${output}`)), 15_000);
    exited.then((code) => reject(new Error(`the example exited with ${code}:\n${output}`)));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (output += chunk));
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      output += chunk;
      const listening = /Listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (!listening) return;
      clearTimeout(timer);
      resolve({ url: listening[1], stop: () => (child.kill(), exited) });
    });
  });
}

let redis;
let upstream;
let proxies = [];
before(async () => {
  redis = await startRedisServer();
  upstream = await startFakeUpstream();
  proxies = await Promise.all([1, 2].map(() => startExample({ REDIS_URL: redis.url, UPSTREAM_URL: upstream.url })));
});
after(async () => {
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  await upstream?.close();
  await redis?.stop();
});

const chat = (proxy, headers = authorized) => fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers, body: chatBody() });
const breakerOf = async (proxy) => (await (await fetch(`${proxy.url}/status`, { headers: authorized })).json())[upstream.url];

test("the Node example refuses requests without its token, and proxies a completion with it", async () => {
  for (const headers of [{}, { authorization: "Bearer wrong" }]) {
    const refused = await chat(proxies[0], headers);
    assert.equal(refused.status, 401);
    assert.equal((await refused.json()).error.code, "invalid_api_key");
  }
  assert.equal(upstream.counters.requests, 0);
  const answered = await chat(proxies[0]);
  assert.equal(answered.status, 200);
  assert.match((await answered.json()).choices[0].message.content, /answering: hello/);
});

test("one process's failures open the fleet: the other answers 503 + Retry-After before its own breaker could trip", async () => {
  upstream.reset();
  for (const proxy of proxies) assert.equal((await chat(proxy)).status, 200); // both join the fleet
  upstream.setFaults({ errorRate: 1, errorStatus: 500 });
  for (let failure = 0; failure < 3; failure += 1) assert.equal((await chat(proxies[0])).status, 500); // presets.llm: 3 failures
  // Past a sync interval (1 s): the first process has reported its trip, and the second's next call syncs
  // (in the background: that call itself is still its own breaker's to admit).
  await sleep(1_100);
  assert.equal((await chat(proxies[0])).status, 503);
  const deadline = performance.now() + 10_000;
  let answer;
  while ((answer = await chat(proxies[1])).status !== 503) {
    assert.equal(answer.status, 500);
    await answer.arrayBuffer();
    assert.ok(performance.now() < deadline, "the second process never rejected");
    await sleep(100);
  }
  assert.ok(Number(answer.headers.get("retry-after")) > 0);
  assert.equal((await answer.json()).error.code, "circuit_open");
  const second = await breakerOf(proxies[1]);
  assert.equal(second.fleet.state, "open");
  assert.ok(second.metrics.failedCalls < 3, `the second process saw ${second.metrics.failedCalls} failures of its own: the fleet opened it`);
  assert.equal(second.fleet.errors, 0);
});
