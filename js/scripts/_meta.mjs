import * as esbuild from "esbuild";
import { gzipSync } from "node:zlib";
const entry = process.argv[2] ?? "lite.js";
const built = await esbuild.build({ stdin: { contents: `export * from "./${entry}";`, resolveDir: "dist" }, bundle: true, minify: true, format: "esm", target: "es2022", platform: "neutral", external: ["*.wasm","cloudflare:*"], write: false, outfile: "entry.js", metafile: true, logLevel: "error" });
const out = Object.values(built.metafile.outputs)[0];
const rows = Object.entries(out.inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput);
for (const [f,{bytesInOutput}] of rows) console.log(String(bytesInOutput).padStart(7), f);
console.log("total", built.outputFiles[0].contents.length, "gzip", gzipSync(built.outputFiles[0].contents,{level:9}).length);
