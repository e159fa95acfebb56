// Which wasm each entry of the installed package loads: the breakers' in the
// main entries, the fleet coordinators' in the fleet's entries, never both,
// so that an application of breakers alone never ships the coordinators; and
// edgebreaker/lite's own, smaller wasm in its entries, and no other.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { CircuitBreaker } from "edgebreaker";
import { dist, distText } from "./helpers.mjs";

/** The modules an entry imports, by their specifiers. */
function importsOf(entry) {
  return [...distText(entry).matchAll(/\bimport\b[\s\w${},*]*?from\s*"([^"]+)"/g)].map((match) => match[1]);
}

const BREAKERS = "edgebreaker_bg.wasm";
const COORDINATORS = "edgebreaker_fleet_bg.wasm";
const LITE = "edgebreaker_lite_bg.wasm";

/** The package's wasm files an entry carries: imported as a module (workerd), or as hex, inlined or in a bytes module it imports. */
function wasmOf(entry) {
  const imported = importsOf(entry);
  const text = [entry, ...imported.filter((specifier) => specifier.endsWith("wasm-bytes.js"))].map(distText).join("\n");
  return [BREAKERS, COORDINATORS, LITE].filter(
    (file) => imported.includes(`./wasm/${file}`) || text.includes(readFileSync(join(dist, "wasm", file)).toString("hex")),
  );
}

/** The names a wasm file of the package exports. */
function exportsOf(file) {
  return WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(dist, "wasm", file)))).map(({ name }) => name);
}

test("the main entries carry the breakers' wasm, and neither the coordinators' nor lite's", () => {
  for (const entry of ["index.js", "browser.js", "workerd.js"]) assert.deepEqual(wasmOf(entry), [BREAKERS], entry);
});

test("the fleet's entries carry the coordinators' wasm, and not the breakers'", () => {
  for (const entry of ["cloudflare.js", "deno.js", "redis.js"]) assert.deepEqual(wasmOf(entry), [COORDINATORS], entry);
});

test("edgebreaker/lite's entries carry lite's wasm, and neither the breakers' full wasm nor the coordinators'", () => {
  for (const entry of ["lite.js", "lite-browser.js", "lite-workerd.js"]) assert.deepEqual(wasmOf(entry), [LITE], entry);
});

test("the breakers' Node and Deno entries are one module each, opening with their wasm's bytes; the others import the bytes", () => {
  for (const entry of ["index.js", "lite.js"]) {
    assert.doesNotMatch(distText(entry), /(\bfrom|\bimport)\s*\(?\s*"\.\.?\//, `${entry} imports a module of the package`);
    assert.match(distText(entry), /^var \w+="0061736d/, `${entry} opens with the wasm's bytes`);
  }
  for (const [entry, bytes] of [["browser.js", "wasm-bytes.js"], ["lite-browser.js", "lite-wasm-bytes.js"], ["deno.js", "fleet-wasm-bytes.js"], ["redis.js", "fleet-wasm-bytes.js"]]) {
    assert.ok(importsOf(entry).includes(`./wasm/${bytes}`), `${entry} imports ${importsOf(entry).join(", ")}`);
    assert.doesNotMatch(distText(entry), /"0061736d/, `${entry} inlines wasm bytes`);
  }
});

test("the hex in wasm-bytes.js decodes to the same bytes where neither Uint8Array.fromHex nor Buffer exists (older browsers)", async () => {
  const { wasmBytes } = await import(pathToFileURL(join(dist, "wasm", "wasm-bytes.js")).href);
  const { fromHex } = Uint8Array;
  const { Buffer: buffer } = globalThis;
  let decoded;
  try {
    delete Uint8Array.fromHex;
    delete globalThis.Buffer;
    decoded = wasmBytes();
  } finally {
    if (fromHex !== undefined) Uint8Array.fromHex = fromHex;
    globalThis.Buffer = buffer;
  }
  assert.ok(!(decoded instanceof buffer), "decoded by Buffer");
  assert.deepEqual(buffer.from(decoded), readFileSync(join(dist, "wasm", "edgebreaker_bg.wasm")));
});

/** The functions a wasm file of the package exports. */
function functionsOf(file) {
  const module = new WebAssembly.Module(readFileSync(join(dist, "wasm", file)));
  return WebAssembly.Module.exports(module).filter(({ kind }) => kind === "function").map(({ name }) => name);
}

test("lite's wasm exports no snapshot, restore, fleet or figures function; the breakers' full wasm exports each", () => {
  const full = exportsOf("edgebreaker_bg.wasm");
  const lite = exportsOf("edgebreaker_lite_bg.wasm");
  for (const feature of ["snapshot", "restore", "fleet", "figures"]) {
    const named = (name) => name.toLowerCase().includes(feature);
    assert.ok(full.some(named), `the full wasm exports a ${feature} function`);
    assert.deepEqual(lite.filter(named), [], `lite's wasm exports ${feature} functions`);
  }
  assert.ok(lite.includes("breaker_acquire") && lite.includes("breaker_record"), `lite's wasm exports ${lite.join(", ")}`);
});

/** Whether an entry names `name` as a whole word (a call of that export, from its glue). */
const names = (entry, name) => new RegExp(`\\b${name}\\b`).test(distText(entry));

test("lite's wasm imports nothing: no wasm-bindgen glue, its own (src/lite/wasm.ts) in its entries, which call each of its functions; the main entries call the full wasm's", () => {
  const module = new WebAssembly.Module(readFileSync(join(dist, "wasm", "edgebreaker_lite_bg.wasm")));
  assert.deepEqual(WebAssembly.Module.imports(module), []);
  const liteFunctions = functionsOf("edgebreaker_lite_bg.wasm");
  const fullFunctions = functionsOf("edgebreaker_bg.wasm");
  assert.deepEqual(fullFunctions.filter((name) => liteFunctions.includes(name)), [], "no function of the two wasm files shares a name");
  for (const entry of ["lite.js", "lite-browser.js", "lite-workerd.js"]) {
    for (const name of liteFunctions) assert.ok(names(entry, name), `${entry} never calls ${name}`);
    for (const name of fullFunctions) assert.ok(!names(entry, name), `${entry} calls the full wasm's ${name}`);
  }
  // The main entries call each of the full wasm's bindings (all but wasm-bindgen's own `__…` functions), and none of lite's.
  for (const entry of ["index.js", "browser.js", "workerd.js"]) {
    for (const name of fullFunctions.filter((name) => !name.startsWith("__"))) assert.ok(names(entry, name), `${entry} never calls ${name}`);
    for (const name of liteFunctions) assert.ok(!names(entry, name), `${entry} calls lite's ${name}`);
  }
});

test("the breakers' wasm runs a breaker: its status reads as before, config in the options' order", () => {
  const status = new CircuitBreaker({ name: "wasm-files", windowMs: 5_000, minimumCalls: 3 }).getStatus();
  assert.deepEqual(Object.keys(status.config), [
    "failureThreshold",
    "windowSize",
    "resetTimeoutMs",
    "successThreshold",
    "halfOpenMaxCalls",
    "failureRateThreshold",
    "minimumCalls",
    "windowMs",
    "slowCallMs",
    "maxResetTimeoutMs",
    "probeTimeoutMs",
  ]);
  assert.equal(status.config.windowMs, 5_000);
  assert.equal(status.config.minimumCalls, 3);
  assert.equal(status.config.slowCallMs, null);
  assert.equal(status.metrics.lastFailureTime, null);
});
