// The demo page in headless Chromium (Debian's, through playwright-core),
// served by www/serve.mjs, with the page bundled from the built package.
//
//   node --test host-tests/www/demo.test.mjs        (after `make build`)
//   UPDATE_SCREENSHOT=1 ...                         also rewrites www/screenshot.png
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "../harness/chromium.mjs";
import { buildPage, packageDir } from "../../www/build.mjs";
import { startServer } from "../../www/serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const artifacts = join(here, "tmp");
const PARTS = ["successfulCalls", "failedCalls", "blockedCalls", "ignoredCalls", "inFlight"];

let context;
let closeChromium;
let fakeProxy;
let page0Server; // the page, with the edge proxy at fakeProxy
let downServer; // the page, with nothing where the edge proxy should be

before(async () => {
  mkdirSync(artifacts, { recursive: true });
  await buildPage({ quiet: true });
  fakeProxy = await startFakeProxy();
  page0Server = await startServer({ proxyUrl: fakeProxy.url });
  downServer = await startServer({ proxyUrl: `http://127.0.0.1:${await closedPort()}` });
  ({ context, close: closeChromium } = await launchChromium({ viewport: { width: 1280, height: 900 } }));
});

after(async () => {
  await closeChromium?.();
  await page0Server?.close();
  await downServer?.close();
  await fakeProxy?.close();
});

test("an outage at 50x takes the wasm core closed -> open -> half_open -> closed, the log shows the core's causes, and the metrics add up", async () => {
  const { page, errors } = await openPage(page0Server, "?seed=1");
  assert.deepEqual(await page.evaluate(() => window.wasmCompilations), { sync: 0, async: 1 }, "the core compiled once, asynchronously");
  assert.equal(await page.getAttribute("#core-status", "data-state"), "ready");
  await page.focus("#failure-rate");
  await page.keyboard.press("Home"); // no failures but the outage's
  await page.focus("#speed");
  await page.keyboard.press("End");
  assert.equal(await page.textContent("#speed-value"), "50×");

  await page.click("#outage");
  await waitForMetric(page, "state", "open");
  await page.click("#outage");
  await page.waitForSelector('#event-log li[data-from="half_open"][data-to="closed"]', { timeout: 20_000 });
  await page.click("#play-pause");
  await nextFrames(page);

  const transitions = await stateChanges(page);
  assert.deepEqual(
    transitions.map(({ from, to, cause }) => `${from}>${to} ${cause}`),
    ["closed>open failure_threshold", "open>half_open open_time_elapsed", "half_open>closed probes_succeeded"],
  );
  // presets.llm opens on 3 failures in the window: the figures are the core's, as the log shows them.
  assert.match(transitions[0].shown, /^failure_threshold: 3 of ([3-9]|10) calls failed, open 60 s$/);
  assert.deepEqual(transitions.slice(1).map(({ shown }) => shown), ["open_time_elapsed", "probes_succeeded"]);
  // The 60 s reset timeout of presets.llm, to the millisecond, on simulated time.
  assert.equal(transitions[1].at - transitions[0].at, 60_000);

  const shown = await shownMetrics(page);
  const status = await page.evaluate(() => window.edgebreakerDemo.status());
  assert.equal(shown.state, "closed");
  assert.deepEqual(pick(shown, Object.keys(status.metrics)), status.metrics, "the page shows getStatus() as it is");
  assert.equal(status.metrics.totalCalls, sum(status.metrics), "totalCalls = successful + failed + blocked + ignored + inFlight");
  assert.equal(await page.getAttribute("#metrics-identity", "data-holds"), "true");
  assert.equal(status.metrics.stateChanges, 3);
  assert.ok(status.metrics.failedCalls >= 3, `failedCalls ${status.metrics.failedCalls}`);
  assert.ok(status.metrics.blockedCalls > 0, "calls were blocked while open");
  assert.ok(Number(await page.textContent("#legend-blocked")) > 0, "the chart counted blocked calls");
  assert.match(await page.getAttribute("#node-closed", "class"), /is-current/);
  assertNoConsoleErrors(errors);
  await page.close();
});

test("pause stops simulated time, step advances it by exactly one second, and the main controls work from the keyboard", async () => {
  const { page, errors } = await openPage(page0Server, "?seed=2");
  const order = await tabTo(page, "#apply-options");
  const expected = ["play-pause", "step", "speed", "outage", "reset-breaker", "force-open", "traffic-rate", "failure-rate", "latency", "preset", "opt-failureThreshold", "apply-options"];
  assert.deepEqual(order.filter((id) => expected.includes(id)), expected, `tab order: ${order.join(", ")}`);

  await tabTo(page, "#play-pause");
  await page.keyboard.press("Enter");
  assert.equal(await page.textContent("#play-pause"), "Play");
  const pausedAt = await simNow(page);
  await page.waitForTimeout(250);
  assert.equal(await simNow(page), pausedAt, "paused: simulated time stands still");

  await tabTo(page, "#step");
  await page.keyboard.press("Space");
  assert.equal(await simNow(page), pausedAt + 1000);

  await tabTo(page, "#speed");
  await page.keyboard.press("End");
  assert.equal(await page.textContent("#speed-value"), "50×");
  await page.keyboard.press("Home");
  assert.equal(await page.textContent("#speed-value"), "1×");

  await tabTo(page, "#outage");
  await page.keyboard.press("Space");
  assert.equal(await page.isChecked("#outage"), true);

  await tabTo(page, "#force-open");
  await page.keyboard.press("Enter");
  await waitForMetric(page, "state", "open");
  assert.equal(await page.textContent("#event-log li:first-child .log-cause"), "force_open: open until reset()");
  await tabTo(page, "#reset-breaker");
  await page.keyboard.press("Enter");
  await waitForMetric(page, "state", "closed");
  assert.equal(await page.textContent("#event-log li:first-child .log-cause"), "reset");

  await tabTo(page, "#play-pause");
  await page.keyboard.press("Enter");
  assert.equal(await page.textContent("#play-pause"), "Pause");
  await page.waitForFunction((before) => window.edgebreakerDemo.now() > before, pausedAt + 1000);
  assertNoConsoleErrors(errors);
  await page.close();
});

test("every control has a label", async () => {
  const { page, errors } = await openPage(page0Server, "?seed=3");
  const unlabelled = await page.$$eval("button, input, select, textarea", (controls) =>
    controls
      .filter((control) => {
        const labelled =
          control.labels?.length > 0 ||
          control.getAttribute("aria-label") ||
          control.getAttribute("aria-labelledby") ||
          (control.tagName === "BUTTON" && control.textContent.trim());
        return !labelled;
      })
      .map((control) => control.id || control.outerHTML),
  );
  assert.ok((await page.$$("button, input, select")).length >= 20, "the page has its controls");
  assert.deepEqual(unlabelled, []);
  assertNoConsoleErrors(errors);
  await page.close();
});

test("at 375 px wide nothing scrolls sideways and the views stay readable", async () => {
  const { page, errors } = await openPage(page0Server, "?seed=4", { width: 375, height: 812 });
  await page.evaluate(() => window.edgebreakerDemo.setPaused(true));
  await page.click("#outage");
  await page.evaluate(() => window.edgebreakerDemo.advance(30_000));
  await page.click("#outage");
  await page.evaluate(() => window.edgebreakerDemo.advance(70_000));
  await nextFrames(page);
  const layout = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
    overflowing: [...document.querySelectorAll("body *")]
      .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .filter((element) => !element.closest(".visually-hidden, pre, details:not([open])"))
      .map((element) => element.id || element.className || element.tagName),
    smallestText: Math.min(
      ...[...document.querySelectorAll(".panel p, .panel label, .metric dd, .event-log li")].map((element) => parseFloat(getComputedStyle(element).fontSize)),
    ),
    diagramWidth: document.getElementById("state-diagram").getBoundingClientRect().width,
    // SVG text is scaled with the diagram: its size on screen is font size x scale.
    smallestDiagramText: (() => {
      const svg = document.getElementById("state-diagram");
      const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
      const shown = [...svg.querySelectorAll("text")].filter((text) => text.getBoundingClientRect().width > 0);
      return Math.min(...shown.map((text) => parseFloat(getComputedStyle(text).fontSize) * scale));
    })(),
    rulesShown: document.querySelector(".rules").getBoundingClientRect().height > 40,
  }));
  assert.equal(layout.scrollWidth, layout.clientWidth, "no horizontal scroll");
  assert.deepEqual(layout.overflowing, []);
  assert.ok(layout.smallestText >= 12, `smallest text ${layout.smallestText}px`);
  assert.ok(layout.diagramWidth >= 300, `diagram ${layout.diagramWidth}px wide`);
  assert.ok(layout.smallestDiagramText >= 11, `smallest diagram text ${layout.smallestDiagramText}px`);
  assert.ok(layout.rulesShown, "the rules are written out where the edge labels are dropped");
  assert.ok((await stateChanges(page)).length >= 2, "the log has entries to lay out");
  await page.screenshot({ path: join(artifacts, "screenshot-375.png"), fullPage: true });
  assertNoConsoleErrors(errors);
  await page.close();
});

test("the same seed gives the same run however simulated time is chunked", async () => {
  const run = async (chunkMs) => {
    const { page, errors } = await openPage(page0Server, "?seed=42&paused");
    const result = await page.evaluate(async (chunk) => {
      const demo = window.edgebreakerDemo;
      const advance = (ms) => {
        for (let left = ms; left > 0; left -= chunk) demo.advance(Math.min(chunk, left));
      };
      const outage = document.getElementById("outage");
      advance(40_000);
      outage.click();
      advance(20_000);
      outage.click();
      advance(150_000);
      return demo.status();
    }, chunkMs);
    const transitions = await stateChanges(page);
    assertNoConsoleErrors(errors);
    await page.close();
    return { status: result, transitions };
  };
  const whole = await run(1e9);
  const chunked = await run(17);
  assert.equal(whole.status.state, "closed");
  assert.ok(whole.status.metrics.stateChanges >= 3, "the run went through an outage and recovered");
  assert.deepEqual(chunked, whole);
});

test("a preset fills the options and rebuilds the breaker; an invalid option is refused with the package's error", async () => {
  const { page, errors } = await openPage(page0Server, "?seed=5");
  await page.selectOption("#preset", "vectorDb");
  const config = await page.evaluate(() => window.edgebreakerDemo.status().config);
  assert.equal(config.failureThreshold, 2);
  assert.equal(config.resetTimeoutMs, 120_000);
  assert.equal(config.windowSize, 15);
  assert.equal(await page.inputValue("#opt-resetTimeoutMs"), "120000");
  assert.equal(await page.textContent("#label-wait"), "after 2 min");
  assert.match(await page.textContent("#options-code"), /\.\.\.presets\.vectorDb,\n\}\);/);

  await page.fill("#opt-failureThreshold", "0");
  assert.equal(await page.inputValue("#preset"), "custom");
  await page.click("#apply-options");
  assert.match(await page.textContent("#options-error"), /RangeError: .*failureThreshold/);
  assert.equal(await page.getAttribute("#opt-failureThreshold", "aria-invalid"), "true");
  assert.equal(await page.evaluate(() => window.edgebreakerDemo.status().config.failureThreshold), 2, "the old breaker stays");

  await page.fill("#opt-failureThreshold", "4");
  await page.click("#apply-options");
  assert.equal(await page.textContent("#options-error"), "");
  assert.equal(await page.evaluate(() => window.edgebreakerDemo.status().config.failureThreshold), 4);
  assert.match(await page.textContent("#options-code"), /\.\.\.presets\.vectorDb,\n {2}failureThreshold: 4,/);
  assertNoConsoleErrors(errors);
  await page.close();
});

test("the edge proxy panel shows the proxy's breakers live from its /status", async () => {
  const { page, errors } = await openPage(page0Server, "?seed=6");
  await page.waitForSelector('#proxy-breakers li[data-name="api.openai.com"][data-state="open"]');
  assert.equal(await page.getAttribute("#proxy-message", "data-state"), "live");
  assert.match(await page.textContent('#proxy-breakers li[data-name="api.openai.com"]'), /3 failed · 2 blocked · probe in/);
  assert.equal(await page.getAttribute('#proxy-breakers li[data-name="api.anthropic.com"]', "data-state"), "closed");

  fakeProxy.recover("api.openai.com");
  await page.waitForSelector('#proxy-breakers li[data-name="api.openai.com"][data-state="closed"]', { timeout: 5000 });
  assertNoConsoleErrors(errors);
  await page.close();

  // ?proxy= reads another origin's status directly.
  const direct = await openPage(downServer, `?seed=6&proxy=${encodeURIComponent(`${fakeProxy.url}status`)}`);
  await direct.page.waitForSelector('#proxy-breakers li[data-name="api.anthropic.com"]');
  assert.equal(await direct.page.textContent("#proxy-url"), `${fakeProxy.url}status`);
  assertNoConsoleErrors(direct.errors);
  await direct.page.close();
});

test("the edge proxy panel says so when the proxy is not running", async () => {
  const { page, errors } = await openPage(downServer, "?seed=7");
  await page.waitForSelector('#proxy-message[data-state="down"]');
  assert.match(await page.textContent("#proxy-message"), /The local edge proxy is not running: nothing answered at http:\/\/127\.0\.0\.1:\d+\/status \(ECONNREFUSED\)/);
  assert.equal(await page.$$eval("#proxy-breakers li", (items) => items.length), 0);
  // The browser logs each failed poll; nothing else may be logged.
  for (let waited = 0; errors.length === 0 && waited < 3000; waited += 100) await page.waitForTimeout(100);
  assert.ok(errors.length > 0, "the failed poll was seen");
  assertNoConsoleErrors(errors.filter((error) => !error.url?.endsWith("/proxy/status")));
  await page.close();
});

test("for a fleet of isolates, the panel shows each isolate's breaker beside its view of the fleet, and the fleet's newest state", async () => {
  const isolates = await startFakeIsolates();
  const gone = `http://127.0.0.1:${await closedPort()}`;
  const server = await startServer({ proxyUrl: isolates[0].url, isolates: [...isolates.map(({ name, url }) => ({ name, url })), { name: "isolate-4", url: gone }] });
  const allGone = await startServer({ proxyUrl: gone, isolates: [{ name: "isolate-1", url: gone }, { name: "isolate-2", url: gone }] });
  try {
    const { page, errors } = await openPage(server, "?seed=8");
    const breaker = '#proxy-breakers[data-view="fleet"] li[data-name="api.openai.com"]';
    await page.waitForSelector(`${breaker}[data-state="open"][data-generation="3"]`);
    assert.match(await page.textContent("#proxy-message"), /^The proxy is running: 4 isolates, 1 breaker, updated /);
    assert.equal(await page.textContent(`${breaker} .pill >> nth=0`), "fleet open");
    assert.equal(await page.textContent(`${breaker} .proxy-breaker-facts`), "generation 3 · 2 of 4 isolates have it");
    assert.equal(await page.textContent(`${breaker} caption`), "Each isolate's breaker api.openai.com beside its view of the fleet");
    assert.deepEqual(await page.$$eval(`${breaker} thead th`, (cells) => cells.map((cell) => `${cell.scope}:${cell.textContent}`)), [
      "col:Isolate",
      "col:Its breaker",
      "col:Its view of the fleet",
      "col:Synced",
      "col:Calls",
    ]);
    const rows = await page.$$eval(`${breaker} tbody tr`, (rows) =>
      rows.map((row) => [row.dataset.isolate, row.dataset.state, row.dataset.fleetState ?? "-", [...row.cells].map((cell) => cell.textContent).join(" | ")]),
    );
    assert.deepEqual(rows, [
      ["isolate-1", "open", "open", "isolate-1 | open | open · generation 3 | 400 ms ago | 0 ok · 3 failed · 0 blocked"],
      ["isolate-2", "open", "open", "isolate-2 | open | open · generation 3 | 1.2 s ago | 0 ok · 0 failed · 2 blocked"],
      [
        "isolate-3",
        "closed",
        "closed",
        "isolate-3 | closed | closed · generation 2 | 4.0 s ago; failing (the coordinator took longer than 500 ms), next try in 2.0 s | 1 ok · 0 failed · 0 blocked",
      ],
      ["isolate-4", "none", "-", `isolate-4 | not answering (ECONNREFUSED)`],
    ]);

    // isolate-3 syncs again: it has the fleet's generation, and the panel follows.
    isolates[2].merge({ state: "open", generation: 3, lastSyncAgoMs: 50, backoffMs: 0, lastError: null });
    await page.waitForSelector(`${breaker} tr[data-isolate="isolate-3"][data-fleet-state="open"]`, { timeout: 5000 });
    assert.equal(await page.textContent(`${breaker} .proxy-breaker-facts`), "generation 3 · 3 of 4 isolates have it");
    assertNoConsoleErrors(errors);
    await page.close();

    const down = await openPage(allGone, "?seed=8");
    await down.page.waitForSelector('#proxy-message[data-state="down"]');
    assert.match(
      await down.page.textContent("#proxy-message"),
      /^The local edge proxy is not running: none of its 2 isolates answered \(isolate-1: ECONNREFUSED, isolate-2: ECONNREFUSED\)\./,
    );
    assert.equal(await down.page.$$eval("#proxy-breakers li", (items) => items.length), 0);
    await down.page.close();
  } finally {
    await server.close();
    await allGone.close();
    await Promise.all(isolates.map((isolate) => isolate.close()));
  }
});

test("a screenshot of a run with two outages", async () => {
  const { page, errors } = await openPage(page0Server, "?seed=7&paused", { width: 1280, height: 1200 });
  await page.evaluate(() => {
    const demo = window.edgebreakerDemo;
    const outage = document.getElementById("outage");
    demo.advance(100_000);
    outage.click();
    demo.advance(12_000);
    outage.click();
    demo.advance(110_000);
    outage.click();
    demo.advance(14_000);
  });
  await page.waitForTimeout(2500); // the diagram's queued transitions finish animating
  const status = await page.evaluate(() => window.edgebreakerDemo.status());
  assert.equal(status.state, "open");
  assert.deepEqual(
    (await stateChanges(page)).map(({ to }) => to),
    ["open", "half_open", "closed", "open"],
  );
  const chart = await page.locator("#chart-panel").boundingBox();
  const path = join(artifacts, "screenshot.png");
  await page.screenshot({ path, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(chart.y + chart.height + 10) } });
  assert.ok(statSync(path).size > 20_000, "the screenshot has content");
  if (process.env.UPDATE_SCREENSHOT) await saveSmall(path, join(repo, "www", "screenshot.png"));
  assertNoConsoleErrors(errors);
  await page.close();
});

test("the demo server serves www/ and nothing outside it", async () => {
  const get = (path, init) => fetch(new URL(path, page0Server.url), init);
  const index = await get("/");
  assert.equal(index.status, 200);
  assert.match(index.headers.get("content-type"), /^text\/html/);
  assert.match(await index.text(), /<script type="module" src="dist\/app.js"/);
  assert.match((await get("/dist/app.js")).headers.get("content-type"), /^text\/javascript/);
  assert.equal((await get("/..%2fMakefile")).status, 403);
  assert.equal((await get("/nope.html")).status, 404);
  assert.equal((await get("/", { method: "POST" })).status, 405);
  const status = await get("/proxy/status");
  assert.equal(status.status, 200);
  assert.ok("api.openai.com" in (await status.json()));
  const down = await fetch(new URL("/proxy/status", downServer.url));
  assert.equal(down.status, 502);
  assert.match((await down.json()).error, /ECONNREFUSED/);
  assert.match(page0Server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
});

// --- helpers ---

async function openPage(server, query, viewport) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  const errors = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push({ text: message.text(), url: message.location().url });
  });
  page.on("pageerror", (error) => errors.push({ text: String(error) }));
  // Counts wasm compilations, to show the page uses the browser entry (async, on the main thread).
  await page.addInitScript(() => {
    const counts = (window.wasmCompilations = { sync: 0, async: 0 });
    const { Module, compile, instantiate } = WebAssembly;
    WebAssembly.Module = new Proxy(Module, {
      construct(target, args) {
        counts.sync += 1;
        return Reflect.construct(target, args);
      },
    });
    WebAssembly.compile = (...args) => ((counts.async += 1), compile(...args));
    WebAssembly.instantiate = (...args) => ((counts.async += 1), instantiate(...args));
  });
  await page.goto(server.url + query);
  await page.waitForSelector('html[data-ready="true"]');
  return { page, errors };
}

function assertNoConsoleErrors(errors) {
  assert.deepEqual(errors, [], "no console errors");
}

/** Presses Tab until `selector` has focus; returns the ids focused on the way. */
async function tabTo(page, selector) {
  const seen = [];
  for (let presses = 0; presses < 60; presses++) {
    await page.keyboard.press("Tab");
    const { id, matches } = await page.evaluate((target) => ({ id: document.activeElement?.id, matches: document.activeElement?.matches(target) }), selector);
    seen.push(id);
    if (matches) return seen;
  }
  throw new Error(`${selector} is not reachable with Tab (focused: ${seen.join(", ")})`);
}

function waitForMetric(page, name, value) {
  return page.waitForSelector(`[data-metric="${name}"][data-value='${JSON.stringify(value)}']`, { timeout: 20_000 });
}

function simNow(page) {
  return page.evaluate(() => window.edgebreakerDemo.now());
}

/** Lets a few animation frames render what the simulation did. */
function nextFrames(page) {
  return page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** The event log's state changes, oldest first, with the cause each names and the line it shows for it. */
function stateChanges(page) {
  return page.$$eval("#event-log li[data-from]", (items) =>
    items.reverse().map((item) => ({
      from: item.dataset.from,
      to: item.dataset.to,
      at: Number(item.dataset.at),
      cause: item.dataset.cause,
      shown: item.querySelector(".log-cause").textContent,
    })),
  );
}

function shownMetrics(page) {
  return page.$$eval("[data-metric]", (cells) => Object.fromEntries(cells.map((cell) => [cell.dataset.metric, JSON.parse(cell.dataset.value)])));
}

function pick(object, keys) {
  return Object.fromEntries(keys.map((key) => [key, object[key]]));
}

function sum(metrics) {
  return PARTS.reduce((total, part) => total + metrics[part], 0);
}

/** Writes the README's copy of a screenshot: palette PNG with sharp when it is installed, else as it is. */
async function saveSmall(from, to) {
  try {
    const { default: sharp } = await import("sharp");
    await sharp(from).png({ palette: true, quality: 90, effort: 10 }).toFile(to);
  } catch {
    copyFileSync(from, to);
  }
}

/** A port with nothing listening on it. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Stands in for the edge proxy of issue 5: GET /status answers the registry as
 * the real package's listCircuitBreakers() gives it, with CORS for ?proxy=.
 */
async function startFakeProxy() {
  const edgebreaker = await import(join(packageDir, "dist", "index.js"));
  let now = 1_000;
  const clock = () => now;
  edgebreaker.clearCircuitBreakerRegistry();
  const openai = edgebreaker.getCircuitBreaker("api.openai.com", { ...edgebreaker.presets.llm, clock });
  const anthropic = edgebreaker.getCircuitBreaker("api.anthropic.com", { ...edgebreaker.presets.llm, clock });
  anthropic.acquire().success();
  for (let i = 0; i < 3; i++) openai.acquire().failure(new Error("upstream 503"));
  for (let i = 0; i < 2; i++) assert.throws(() => openai.acquire(), { name: "CircuitBreakerError" });
  now += 5_000;

  const server = createServer((request, response) => {
    if (request.url !== "/status") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" });
    response.end(JSON.stringify(edgebreaker.listCircuitBreakers()));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    recover(name) {
      edgebreaker.getCircuitBreaker(name).reset();
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}

/**
 * Stands in for three isolates of a fleet (make demo's): each answers GET /status with a
 * breaker's real getStatus() (the package's, on a fixed clock) and a view of the fleet as
 * the `fleet` option reports it; `merge(view)` changes one isolate's view.
 */
async function startFakeIsolates() {
  const edgebreaker = await import(join(packageDir, "dist", "index.js"));
  const clock = () => 1_000;
  const breaker = () => new edgebreaker.CircuitBreaker({ ...edgebreaker.presets.llm, name: "api.openai.com", clock });
  const [failing, blocking, fine] = [breaker(), breaker(), breaker()];
  for (let i = 0; i < 3; i++) failing.acquire().failure(new Error("upstream 503"));
  blocking.forceOpen();
  for (let i = 0; i < 2; i++) assert.throws(() => blocking.acquire(), { name: "CircuitBreakerError" });
  fine.acquire().success();
  const synced = { syncs: 4, errors: 0, refused: 0, lastError: null, backoffMs: 0 };
  const isolates = [
    { breaker: failing, fleet: { ...synced, state: "open", generation: 3, lastSyncAgoMs: 400 } },
    { breaker: blocking, fleet: { ...synced, state: "open", generation: 3, lastSyncAgoMs: 1200 } },
    { breaker: fine, fleet: { ...synced, state: "closed", generation: 2, lastSyncAgoMs: 4000, errors: 2, backoffMs: 2000, lastError: "the coordinator took longer than 500 ms" } },
  ];
  return Promise.all(
    isolates.map(async (isolate, index) => {
      const server = createServer((request, response) => {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ "api.openai.com": { ...isolate.breaker.getStatus(), fleet: isolate.fleet } }));
      });
      await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
      return {
        name: `isolate-${index + 1}`,
        url: `http://127.0.0.1:${server.address().port}`,
        merge: (view) => Object.assign(isolate.fleet, view),
        close: () => new Promise((resolve) => {
          server.closeAllConnections();
          server.close(resolve);
        }),
      };
    }),
  );
}
