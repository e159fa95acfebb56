// npm run bench (second part): the cost of reading many breakers at once, at
// 1,000, 10,000 and 100,000 registered breakers, a tenth of them open (by a
// failure) and each with some calls counted:
//
//   listCircuitBreakers()     a status object tree per breaker, then JSON.stringify (what a /status route sends)
//   circuitBreakerFigures()   the flat export: one core call per breaker into one buffer in wasm memory, copied out once
//   prometheusMetrics()       the exposition text (edgebreaker/prometheus), built on the flat export
//
// ms is the median over rounds (a fresh reading each round: every export reads
// each breaker's clock and status), and the fastest round (the least disturbed
// on a busy machine); MB is what it produces: the JSON text, the figures'
// arrays, the exposition text (UTF-8 bytes).
import {
  circuitBreakerFigures,
  clearCircuitBreakerRegistry,
  getCircuitBreaker,
  listCircuitBreakers,
} from "../dist/index.js";
import { prometheusMetrics } from "../dist/prometheus.js";

const SIZES = (process.env.BENCH_BREAKERS ?? "1000,10000,100000").split(",").map(Number);
const ROUNDS = Number(process.env.BENCH_EXPORT_ROUNDS ?? 7);
const encoder = new TextEncoder();

function register(count) {
  clearCircuitBreakerRegistry();
  for (let i = 0; i < count; i++) {
    const breaker = getCircuitBreaker(`upstream-${i}`, { failureThreshold: 2, windowSize: 10 });
    breaker.acquire().success();
    breaker.acquire().failure();
    if (i % 10 === 0) breaker.acquire().failure();
  }
}

const exports = {
  "listCircuitBreakers + JSON": () => JSON.stringify(listCircuitBreakers()),
  "circuitBreakerFigures()": () => circuitBreakerFigures(),
  "prometheusMetrics()": () => prometheusMetrics(),
};

/** Bytes of what an export produced. */
function outputBytes(result) {
  if (typeof result === "string") return encoder.encode(result).byteLength;
  return result.figures.byteLength + result.transitions.byteLength;
}

const mb = (bytes) => (bytes / 1e6).toFixed(2);
console.log(`\nNode ${process.version}, exporting N registered breakers (median of ${ROUNDS} rounds)`);
console.log(`${"breakers".padStart(8)}  ${"export".padEnd(28)}${"median ms".padStart(10)}${"fastest ms".padStart(11)}${"output MB".padStart(11)}`);
for (const count of SIZES) {
  register(count);
  for (const [name, run] of Object.entries(exports)) {
    run(); // warm up
    const times = [];
    for (let round = 0; round < ROUNDS; round++) {
      globalThis.gc?.();
      const start = process.hrtime.bigint();
      run();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    const [fastest, median] = [times[0], times[Math.floor(times.length / 2)]];
    const output = mb(outputBytes(run()));
    console.log(`${String(count).padStart(8)}  ${name.padEnd(28)}${median.toFixed(2).padStart(10)}${fastest.toFixed(2).padStart(11)}${output.padStart(11)}`);
  }
}
clearCircuitBreakerRegistry();
