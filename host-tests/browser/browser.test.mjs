// Headless Chromium (Debian's, through playwright-core) on pages that load an
// esbuild bundle of the packed package. The pages are served by request
// interception at http://edgebreaker.test/, so no port is opened. A script
// that runs before the page's records any synchronous wasm compilation: the
// browser entry must initialise asynchronously on the main thread.

import assert from "node:assert/strict";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { bundlePage } from "../harness/bundle.mjs";
import { launchChromium } from "../harness/chromium.mjs";
import { consumerFolder } from "../harness/packed.mjs";
import { reportResults } from "../harness/report.mjs";
import { snippet } from "../harness/snippets.mjs";
import { checkTypes } from "../harness/typescript.mjs";

const consumer = consumerFolder();
const folder = join(consumer, "browser");
mkdirSync(folder, { recursive: true });

const { context: browser, close } = await launchChromium();
after(close);

/**
 * Opens a page whose module script is `bundle`; `api` answers other requests.
 * Returns the page, its console lines and its uncaught errors.
 */
async function openPage(bundle, api = () => ({ status: 404, body: "" })) {
  const page = await browser.newPage();
  const consoleLines = [];
  const errors = [];
  page.on("console", (message) => consoleLines.push(message.text()));
  page.on("pageerror", (error) => errors.push(error));
  await page.addInitScript(() => {
    // Synchronous compilation blocks the main thread: count it, and the asynchronous kind
    // with the size of what each compiled (a module to instantiate has none).
    globalThis.wasmCompilations = { sync: 0, async: 0, asyncBytes: [] };
    WebAssembly.Module = new Proxy(WebAssembly.Module, {
      construct(target, args) {
        globalThis.wasmCompilations.sync += 1;
        return Reflect.construct(target, args);
      },
    });
    for (const name of ["compile", "compileStreaming", "instantiate", "instantiateStreaming"]) {
      const original = WebAssembly[name];
      WebAssembly[name] = function (...args) {
        globalThis.wasmCompilations.async += 1;
        globalThis.wasmCompilations.asyncBytes.push(args[0]?.byteLength ?? null);
        return original.apply(this, args);
      };
    }
  });
  await page.route("http://edgebreaker.test/**", (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === "/") {
      return route.fulfill({
        contentType: "text/html",
        body: `<!doctype html><meta charset="utf-8"><script type="module" src="/main.bundle.js"></script>`,
      });
    }
    if (pathname === "/main.bundle.js") return route.fulfill({ contentType: "text/javascript", body: bundle });
    return route.fulfill(api(route.request()));
  });
  await page.goto("http://edgebreaker.test/");
  return { page, consoleLines, errors };
}

writeFileSync(
  join(folder, "suite-page.js"),
  `import * as edgebreaker from "edgebreaker";
import * as lite from "edgebreaker/lite";
import { runSuite } from "../shared/suite.js";
import vectors from "../vectors.js";

globalThis.suiteResults = await runSuite(edgebreaker, lite, vectors);
`,
);
const suite = await bundlePage(join(folder, "suite-page.js"))
  .then((bundle) => openPage(bundle))
  .catch((error) => ({ error }));
reportResults(
  await Promise.resolve(suite.error ? Promise.reject(suite.error) : suite.page.waitForFunction(() => globalThis.suiteResults))
    .then((handle) => handle.jsonValue())
    .catch((error) => [{ group: "suite", name: "the suite runs in Chromium", ok: false, error: error.stack }]),
);

test("the page compiled each entry's wasm once, asynchronously (edgebreaker's and edgebreaker/lite's), and threw nothing", async () => {
  if (suite.error) throw suite.error;
  assert.deepEqual(suite.errors, []);
  const wasmBytes = (file) => statSync(join(consumer, "node_modules", "edgebreaker", "dist", "wasm", file)).size;
  assert.deepEqual(await suite.page.evaluate(() => globalThis.wasmCompilations), {
    sync: 0,
    async: 2,
    asyncBytes: [wasmBytes("edgebreaker_bg.wasm"), wasmBytes("edgebreaker_lite_bg.wasm")],
  });
});

test("the README's browser snippet runs as written", async () => {
  writeFileSync(join(folder, "main.js"), snippet("browser"));
  const bundle = await bundlePage(join(folder, "main.js"));
  const { page, consoleLines, errors } = await openPage(bundle, (request) => {
    assert.equal(new URL(request.url()).search, "?q=wasm");
    return { contentType: "application/json", body: JSON.stringify({ hits: 3 }) };
  });
  for (let waited = 0; consoleLines.length === 0 && errors.length === 0 && waited < 10_000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(consoleLines, ["3 closed"]);
});

test("tsc resolves the types as a browser app does (bundler resolution, browser condition)", async () => {
  const { code, stdout } = await checkTypes(join(folder, "types"), {
    module: "esnext",
    moduleResolution: "bundler",
    customConditions: ["browser"],
  });
  assert.equal(code, 0, stdout);
});
