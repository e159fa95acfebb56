// Bundling as users' tools do: a Worker as wrangler bundles it, a page as a
// browser app's bundler does.

import * as esbuild from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";

/**
 * A Worker bundled as `wrangler deploy` bundles it: esbuild, ESM, conditions
 * workerd → worker → browser, and every imported `.wasm` left out of the
 * bundle as a module of its own beside it (wrangler uploads those as
 * CompiledWasm). Returns the names of the files written to `outdir`.
 */
export async function bundleWorker(entry, outdir) {
  mkdirSync(outdir, { recursive: true });
  const wasmModules = new Set();
  const wasmAsModules = {
    name: "wasm-as-modules",
    setup(build) {
      build.onResolve({ filter: /\.wasm$/ }, ({ path, resolveDir }) => {
        const file = resolve(resolveDir, path);
        copyFileSync(file, join(outdir, basename(file)));
        wasmModules.add(basename(file));
        return { path: `./${basename(file)}`, external: true };
      });
    },
  };
  await esbuild.build({
    entryPoints: [entry],
    outfile: join(outdir, "worker.js"),
    bundle: true,
    format: "esm",
    target: "es2022",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"], // the runtime's own modules, as wrangler leaves them
    plugins: [wasmAsModules],
    logLevel: "error",
  });
  return { script: "worker.js", wasmModules: [...wasmModules] };
}

/**
 * Miniflare's options for a Worker that `bundleWorker` wrote to `outdir`: its
 * modules, with each `.wasm` compiled by workerd as wrangler's upload would be.
 */
export function workerModules(outdir, script) {
  return {
    modules: true,
    scriptPath: join(outdir, script),
    modulesRoot: outdir,
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
  };
}

/** A page script bundled for browsers: esbuild, ESM, platform browser. Returns its text. */
export async function bundlePage(entry) {
  const built = await esbuild.build({
    entryPoints: [entry],
    outfile: "page.js",
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "error",
  });
  return built.outputFiles[0].text;
}
