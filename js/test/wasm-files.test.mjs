// Which wasm each entry of the installed package loads: the breakers' in the
// main entries, the fleet coordinators' in the fleet's entries, never both,
// so that an application of breakers alone never ships the coordinators.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { CircuitBreaker } from "edgebreaker";

const dist = dirname(fileURLToPath(import.meta.resolve("edgebreaker")));

/** The modules an entry imports, by their specifiers. */
function importsOf(entry) {
  const text = readFileSync(join(dist, entry), "utf8");
  return [...text.matchAll(/\bimport\b[\s\w${},*]*?from\s*"([^"]+)"/g)].map((match) => match[1]);
}

const BREAKERS = ["./wasm/wasm-bytes.js", "./wasm/edgebreaker_bg.wasm"];
const COORDINATORS = ["./wasm/fleet-wasm-bytes.js", "./wasm/edgebreaker_fleet_bg.wasm"];

test("the main entries load the breakers' wasm, and not the coordinators'", () => {
  for (const [entry, wasm] of [["index.js", "./wasm/wasm-bytes.js"], ["browser.js", "./wasm/wasm-bytes.js"], ["workerd.js", "./wasm/edgebreaker_bg.wasm"]]) {
    const imported = importsOf(entry);
    assert.ok(imported.includes(wasm), `${entry} imports ${imported.join(", ")}`);
    assert.deepEqual(imported.filter((specifier) => COORDINATORS.includes(specifier)), [], entry);
  }
});

test("the fleet's entries load the coordinators' wasm, and not the breakers'", () => {
  for (const [entry, wasm] of [["cloudflare.js", "./wasm/edgebreaker_fleet_bg.wasm"], ["deno.js", "./wasm/fleet-wasm-bytes.js"], ["redis.js", "./wasm/fleet-wasm-bytes.js"]]) {
    const imported = importsOf(entry);
    assert.ok(imported.includes(wasm), `${entry} imports ${imported.join(", ")}`);
    assert.deepEqual(imported.filter((specifier) => BREAKERS.includes(specifier)), [], entry);
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
