// What each runtime's users ship, raw and gzip -9: the wasm, and each entry's
// JS as an app's bundler would emit it (esbuild, minified, that runtime's
// export conditions, the package alone). The Node, Deno and browser entries
// carry the wasm inlined as base64; the workerd entry loads the .wasm file
// beside it, so its total is the bundle plus the wasm.
import * as esbuild from "esbuild";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const entries = [
  { label: "node / deno entry (wasm inlined)", conditions: ["node", "deno"], platform: "node" },
  { label: "browser entry (wasm inlined, async compile)", conditions: ["browser"], platform: "browser" },
  { label: "workerd entry (+ the .wasm file)", conditions: ["workerd", "worker", "browser"], platform: "browser", wasmFile: true },
];

const measure = (bytes) => ({ raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });

/** Prints the table; `dist` is the built package's dist/. */
export async function printSizes(dist) {
  const wasm = measure(readFileSync(join(dist, "wasm", "edgebreaker_bg.wasm")));
  const rows = [["wasm (wasm-opt -Oz)", wasm]];
  for (const { label, conditions, platform, wasmFile } of entries) {
    const built = await esbuild.build({
      entryPoints: [join(dist, "index.js")],
      bundle: true,
      minify: true,
      format: "esm",
      target: "es2022",
      platform,
      conditions,
      external: ["*.wasm"],
      write: false,
      outfile: "entry.js",
      logLevel: "error",
    });
    const js = measure(built.outputFiles[0].contents);
    rows.push([`${label}, JS minified`, js]);
    if (wasmFile) rows.push([`${label}, JS + wasm`, { raw: js.raw + wasm.raw, gzip: js.gzip + wasm.gzip }]);
  }
  const pad = Math.max(...rows.map(([label]) => label.length));
  console.log("edgebreaker sizes (bytes; gzip -9; JS bundled and minified by esbuild, as an app ships it):");
  for (const [label, { raw, gzip }] of rows) {
    console.log(`  ${label.padEnd(pad)}  ${String(raw).padStart(7)} raw  ${String(gzip).padStart(6)} gzip`);
  }
}
