// Sizes, raw and gzip -9: the wasm and the glue, then
// each runtime's entry as an app's bundler ships it: esbuild, minified, with
// everything the entry loads. The Node/Deno and browser entries carry the wasm
// inlined as base64; the workerd entry loads the .wasm file beside it, so its
// total is its JS plus the wasm.
import * as esbuild from "esbuild";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const measure = (bytes) => ({ raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
const measureFiles = (paths) => measure(Buffer.concat(paths.map((path) => readFileSync(path))));

/** The wasm and the wasm-bindgen glue as generated; call before bundleEntries (which bundles the glue away). */
export function measureParts(dist) {
  return [
    ["wasm (wasm-opt -Oz)", measureFiles([join(dist, "wasm", "edgebreaker_bg.wasm")])],
    ["wasm-bindgen glue, unminified", measureFiles([join(dist, "wasm", "edgebreaker.js")])],
  ];
}

const shipped = [
  { label: "node / deno entry (index.js, wasm inlined)", file: "index.js" },
  { label: "browser entry (browser.js, wasm inlined)", file: "browser.js" },
  { label: "workerd entry (workerd.js)", file: "workerd.js", wasmFile: true },
  { label: "edgebreaker/cloudflare (cloudflare.js)", file: "cloudflare.js" },
  { label: "edgebreaker/deno (deno.js)", file: "deno.js" },
  { label: "edgebreaker/redis (redis.js)", file: "redis.js" },
  // What it adds to the main entry it imports (and to the application's @opentelemetry/api).
  { label: "edgebreaker/opentelemetry (opentelemetry.js)", file: "opentelemetry.js", external: ["@opentelemetry/api", "edgebreaker"] },
  // It imports the main entry, which the application has already.
  { label: "edgebreaker/prometheus (prometheus.js), beside the main entry", file: "prometheus.js", external: ["edgebreaker"] },
];

/** Prints `parts` and each entry's size as an app ships it. */
export async function printSizes(dist, parts) {
  const wasm = parts[0][1];
  const rows = [...parts];
  for (const { label, file, wasmFile, external = [] } of shipped) {
    const built = await esbuild.build({
      entryPoints: [join(dist, file)],
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
    rows.push([`${label}, minified`, js]);
    if (wasmFile) rows.push([`${label}, minified, + the .wasm`, { raw: js.raw + wasm.raw, gzip: js.gzip + wasm.gzip }]);
  }
  const pad = Math.max(...rows.map(([label]) => label.length));
  console.log("edgebreaker sizes (bytes; gzip -9; an entry minified = bundled by esbuild with what it imports):");
  for (const [label, { raw, gzip }] of rows) {
    console.log(`  ${label.padEnd(pad)}  ${String(raw).padStart(7)} raw  ${String(gzip).padStart(6)} gzip`);
  }
}
