// Sizes, raw and gzip -9: the three wasm files and their glue, then each
// runtime's entry as an app's bundler ships it: esbuild, minified, with
// everything the entry loads. The Node/Deno and browser entries carry their
// wasm as hex (inlined, or in a module they import, bundled in here as an
// app's bundler would); the workerd entries load the .wasm file beside
// them, so their total is their JS plus that wasm. Where the package has a
// size target, it is printed beside the figure, met or not (never an error).
import * as esbuild from "esbuild";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const measure = (bytes) => ({ raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
const measureFiles = (paths) => measure(Buffer.concat(paths.map((path) => readFileSync(path))));

/** The wasm files and their glue as built; call before bundleEntries (which bundles the glue away). */
export function measureParts(dist) {
  return [
    ["breakers' wasm (edgebreaker_bg.wasm, wasm-opt -Oz)", measureFiles([join(dist, "wasm", "edgebreaker_bg.wasm")]), 8_000],
    ["its wasm-bindgen glue, unminified", measureFiles([join(dist, "wasm", "edgebreaker.js")])],
    ["edgebreaker/lite's wasm, the breakers alone (edgebreaker_lite_bg.wasm, wasm-opt -Oz)", measureFiles([join(dist, "wasm", "edgebreaker_lite_bg.wasm")]), 8_000],
    ["its glue (src/lite/wasm.ts, no wasm-bindgen), unminified", measureFiles([join(dist, "lite", "wasm.js")])],
    ["fleet coordinators' wasm (edgebreaker_fleet_bg.wasm, wasm-opt -Oz)", measureFiles([join(dist, "wasm", "edgebreaker_fleet_bg.wasm")])],
    ["its wasm-bindgen glue, unminified", measureFiles([join(dist, "wasm", "edgebreaker_fleet.js")])],
  ];
}

const shipped = [
  { label: "node / deno entry (index.js, wasm inlined)", files: ["index.js"], target: 15_000 },
  { label: "browser entry (browser.js + wasm/wasm-bytes.js)", files: ["browser.js"], target: 15_000 },
  { label: "workerd entry (workerd.js)", files: ["workerd.js"], wasmFiles: ["edgebreaker_bg.wasm"] },
  { label: "edgebreaker/lite, node / deno (lite.js, wasm inlined)", files: ["lite.js"], target: 15_000 },
  { label: "edgebreaker/lite, browser (lite-browser.js + wasm/lite-wasm-bytes.js)", files: ["lite-browser.js"], target: 15_000 },
  { label: "edgebreaker/lite, workerd (lite-workerd.js)", files: ["lite-workerd.js"], wasmFiles: ["edgebreaker_lite_bg.wasm"] },
  { label: "edgebreaker/cloudflare (cloudflare.js)", files: ["cloudflare.js"], wasmFiles: ["edgebreaker_fleet_bg.wasm"] },
  // A Worker with breakers and the fleet's Durable Object ships both entries and both wasm files.
  {
    label: "a Worker and its fleet's Durable Object (workerd.js + cloudflare.js)",
    files: ["workerd.js", "cloudflare.js"],
    wasmFiles: ["edgebreaker_bg.wasm", "edgebreaker_fleet_bg.wasm"],
  },
  { label: "edgebreaker/deno (deno.js)", files: ["deno.js"] },
  { label: "edgebreaker/redis (redis.js)", files: ["redis.js"] },
  // What it adds to the main entry it imports (and to the application's @opentelemetry/api).
  { label: "edgebreaker/opentelemetry (opentelemetry.js)", files: ["opentelemetry.js"], external: ["@opentelemetry/api", "edgebreaker"] },
  // It imports the main entry, which the application has already.
  { label: "edgebreaker/prometheus (prometheus.js), beside the main entry", files: ["prometheus.js"], external: ["edgebreaker"] },
];

/** Prints `parts` and each entry's size as an app ships it. */
export async function printSizes(dist, parts) {
  const rows = [...parts];
  for (const { label, files, wasmFiles = [], external = [], target } of shipped) {
    const built = await esbuild.build({
      stdin: { contents: files.map((name) => `export * from "./${name}";`).join("\n"), resolveDir: dist },
      bundle: true,
      minify: true,
      format: "esm",
      target: "es2022",
      platform: "neutral",
      external: ["*.wasm", "cloudflare:*", ...external],
      write: false,
      outfile: "entry.js",
      logLevel: "error",
    });
    const js = measure(built.outputFiles[0].contents);
    rows.push([`${label}, minified`, js, target]);
    if (wasmFiles.length > 0) {
      const wasm = wasmFiles.map((name) => measureFiles([join(dist, "wasm", name)])).reduce((sum, size) => ({ raw: sum.raw + size.raw, gzip: sum.gzip + size.gzip }));
      const plus = wasmFiles.length === 1 ? wasmFiles[0] : "both .wasm";
      rows.push([`${label}, minified, + ${plus}`, { raw: js.raw + wasm.raw, gzip: js.gzip + wasm.gzip }]);
    }
  }
  const pad = Math.max(...rows.map(([label]) => label.length));
  console.log("edgebreaker sizes (bytes; gzip -9; an entry minified = bundled by esbuild with what it imports):");
  for (const [label, { raw, gzip }, target] of rows) {
    const verdict = target === undefined ? "" : `  target ≤ ${target / 1000} KB gzip: ${gzip <= target ? "met" : "MISSED"}`;
    console.log(`  ${label.padEnd(pad)}  ${String(raw).padStart(7)} raw  ${String(gzip).padStart(6)} gzip${verdict}`);
  }
}
