// Bundles the demo page (www/src/main.js) with the edgebreaker package's
// browser entry into www/dist/, with esbuild, the way a site would bundle it.
// The package is the built js/ (run `make build` first), or the folder named
// by EDGEBREAKER_PACKAGE (an unpacked tarball, say), resolved by its
// package.json "exports" under the "browser" condition, as an installed
// dependency would be.
//
//   node www/build.mjs
//
// esbuild comes from host-tests/node_modules (`make setup-package` installs it),
// which the page's tests and `make demo` use too.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const www = dirname(fileURLToPath(import.meta.url));
const repo = join(www, "..");
const esbuild = createRequire(join(repo, "host-tests", "package.json"))("esbuild");
export const packageDir = resolve(process.env.EDGEBREAKER_PACKAGE ?? join(repo, "js"));
const outdir = join(www, "dist");

export async function buildPage({ quiet = false } = {}) {
  if (!existsSync(join(packageDir, "dist", "index.js"))) {
    throw new Error(`${join(packageDir, "dist")} is missing: run \`make build\` from the repository root first.`);
  }
  // A node_modules of one, for the build only: edgebreaker -> the package.
  const scratch = mkdtempSync(join(tmpdir(), "edgebreaker-page-"));
  const modules = join(scratch, "node_modules");
  mkdirSync(modules);
  symlinkSync(packageDir, join(modules, "edgebreaker"), "dir");
  rmSync(outdir, { recursive: true, force: true });

  let result;
  try {
    result = await esbuild.build({
      entryPoints: { app: join(www, "src", "main.js") },
      outdir,
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      minify: true,
      sourcemap: "linked",
      nodePaths: [modules],
      loader: { ".wasm": "file" },
      assetNames: "[name]-[hash]",
      metafile: true,
      logLevel: "warning",
      absWorkingDir: repo,
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const outputs = Object.keys(result.metafile.outputs).filter((path) => !path.endsWith(".map"));
  if (!quiet) {
    for (const output of outputs) {
      const bytes = readFileSync(join(repo, output));
      console.log(`${relative(repo, join(repo, output))}: ${bytes.length} B, ${gzipSync(bytes, { level: 9 }).length} B gzip`);
    }
  }
  return outputs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildPage();
}
