// One bundled file per runtime, so an import loads one or two modules instead
// of a dozen: Node's loader costs more per module than the code inside them (cold
// start: `make bench`). Each bundle is tsc's dist/*.js with `#wasm-module`
// (and `#fleet-wasm-module`) resolved for that runtime (package.json
// "imports"). The breakers' entries for Node and Deno (index.js, lite.js)
// bundle their wasm's bytes in (`inlineBytes`): an import then loads one
// module, not two (about a tenth of lite's cold start), and the tarball holds
// those bytes twice. The browser entries import the bytes as a module of their
// own (wasm/wasm-bytes.js, wasm/lite-wasm-bytes.js), which the application's
// bundler merges anyway, and so do the fleet's two Node and Deno entries, which
// share theirs. A .wasm file stays a module of its own, which workerd compiles.
// The fleet's entries load the coordinators' wasm.
//
//   dist/index.js    node, deno, default   bytes inlined, compiled synchronously on first use
//   dist/browser.js  browser               bytes imported, compiled asynchronously at import
//   dist/workerd.js  workerd               the .wasm imported as a module
//   dist/cloudflare.js  "edgebreaker/cloudflare" (workerd): the same, with
//                    "cloudflare:workers" left to the runtime
//   dist/deno.js     "edgebreaker/deno": the fleet on Deno KV, its bytes imported
//   dist/redis.js    "edgebreaker/redis" (node, deno, default): the Redis fleet;
//                    the Redis client is the user's, imported by neither
//   dist/opentelemetry.js  "edgebreaker/opentelemetry" (every runtime): the
//                    metrics on OpenTelemetry, with "@opentelemetry/api" (an
//                    optional peer dependency) and "edgebreaker" left external,
//                    so that it reads the same registry as the user's import
//   dist/prometheus.js  "edgebreaker/prometheus" (every runtime): the exposition
//                    format, importing "edgebreaker" itself, so that it reads
//                    the registry of the copy the application imports
//   dist/lite.js, lite-browser.js, lite-workerd.js  "edgebreaker/lite", per
//                    runtime as the three above: the same modules with
//                    src/lite/features.ts in place of src/features.ts, and
//                    edgebreaker_lite_bg.wasm (the breakers alone) with its glue
//                    (src/lite/wasm.ts in place of wasm-bindgen's) and its
//                    `#lite-wasm-module` variants
//
// FLEETS (declared in src/build-flags.d.ts) is defined for each bundle: false
// in lite's, whose breakers never have a fleet, so that the breaker's fleet
// paths fold away there (all but CallRunner's #runLeased: the bundler keeps a
// class's methods); true in every other.
//
// tsc's per-module .js files are removed afterwards (the #…wasm-module variants
// and the bytes modules stay: package.json "imports" still points at files, and
// some entries import the bytes); its .d.ts files stay and type every entry:
// the main entries dist/index.d.ts, each other one its own.
import * as esbuild from "esbuild";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";

export const entries = [
  { file: "index.js", conditions: ["node", "deno"], inlineBytes: "#wasm-module" },
  { file: "browser.js", conditions: ["browser"] },
  { file: "workerd.js", conditions: ["workerd", "worker", "browser"] },
  // "edgebreaker/cloudflare": the fleet coordinator (a Durable Object) and its transport, workerd only.
  { file: "cloudflare.js", from: "cloudflare/index.js", conditions: ["workerd", "worker", "browser"], external: ["cloudflare:workers"] },
  // "edgebreaker/deno": the fleet's store on Deno KV (any runtime with a Deno KV client; Deno's own is Deno.openKv).
  { file: "deno.js", from: "deno/index.js", conditions: ["node", "deno"] },
  // "edgebreaker/redis": the fleet on Redis or Valkey, for Node (and Deno, Bun) with the user's client.
  { file: "redis.js", from: "redis/index.js", conditions: ["node", "deno"] },
  // "edgebreaker/opentelemetry": the breakers' metrics as OpenTelemetry instruments, for every runtime.
  { file: "opentelemetry.js", from: "opentelemetry/index.js", conditions: [], external: ["@opentelemetry/api", "edgebreaker"] },
  // "edgebreaker/prometheus": the exposition format; the main entry stays an import, not a copy.
  { file: "prometheus.js", from: "prometheus/index.js", conditions: [], mainEntryImported: true },
  // "edgebreaker/lite": the breakers alone, per runtime.
  { file: "lite.js", from: "lite/index.js", conditions: ["node", "deno"], lite: true, inlineBytes: "#lite-wasm-module" },
  { file: "lite-browser.js", from: "lite/index.js", conditions: ["browser"], lite: true },
  { file: "lite-workerd.js", from: "lite/index.js", conditions: ["workerd", "worker", "browser"], lite: true },
];

// An entry that reads the application's breakers imports the main entry by the
// package's name: a bundled copy would have a registry of its own, always empty.
const mainEntryByName = {
  name: "main-entry-by-name",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/index\.js$/ }, () => ({ path: "edgebreaker", external: true }));
  },
};

// A .wasm file, and the bytes of an entry that does not inline them, are
// imported by their path from dist/, not bundled in.
const keepWasmSeparate = (dist, externalBytes) => ({
  name: "keep-wasm-separate",
  setup(build) {
    build.onResolve({ filter: externalBytes ? /(wasm-bytes\.js|\.wasm)$/ : /\.wasm$/ }, ({ path, resolveDir }) => ({
      path: `./${relative(dist, join(resolveDir, path)).split(sep).join("/")}`,
      external: true,
    }));
  },
});

// An entry that inlines its wasm's bytes imports its wasm module (`inlineBytes`)
// before anything else, so that its bundle opens with the bytes: gzip looks
// back only 32 KB, and the code after them then compresses as one piece (with
// the bytes in the middle, lite's Node entry gzipped 250 B larger).
const bytesFirst = (entryPath, specifier) => ({
  name: "bytes-first",
  setup(build) {
    const entryOnly = new RegExp(`^${entryPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
    build.onLoad({ filter: entryOnly }, ({ path }) => ({
      contents: `import "${specifier}";\n${readFileSync(path, "utf8")}`,
      loader: "js",
      resolveDir: dirname(path),
    }));
  },
});

// edgebreaker/lite: the modules that have a lite twin are swapped for it, and
// `#wasm-module` for `#lite-wasm-module` (the runtime's variant as package.json picks it).
const liteTwins = (dist) => ({
  name: "lite-twins",
  setup(build) {
    const twins = new Map([
      [join(dist, "features.js"), join(dist, "lite", "features.js")],
      [join(dist, "wasm", "edgebreaker.js"), join(dist, "lite", "wasm.js")],
    ]);
    build.onResolve({ filter: /^#wasm-module$/ }, ({ kind, importer, resolveDir }) => build.resolve("#lite-wasm-module", { kind, importer, resolveDir }));
    build.onResolve({ filter: /(features|edgebreaker)\.js$/ }, ({ path, resolveDir }) => {
      const twin = twins.get(join(resolveDir, path));
      return twin === undefined ? undefined : { path: twin };
    });
  },
});

/** Builds every entry from tsc's output in `dist`, then removes the modules they were built from. */
export async function bundleEntries(dist) {
  const built = await Promise.all(
    entries.map(({ from = "index.js", conditions, external = [], mainEntryImported = false, lite = false, inlineBytes }) =>
      esbuild.build({
        entryPoints: [join(dist, from)],
        external,
        bundle: true,
        write: false,
        outfile: "entry.js",
        format: "esm",
        target: "es2022",
        platform: "neutral",
        conditions,
        // Minified: an entry loads faster, and ships smaller where the app's bundler
        // does not minify (wrangler by default). The types and their documentation
        // are the .d.ts files. The main entries keep their identifiers, for readable
        // stack traces; edgebreaker/lite, built for size, minifies them too (its
        // public classes name themselves: src/lite/index.ts).
        minifyWhitespace: true,
        minifySyntax: true,
        minifyIdentifiers: lite,
        define: { FLEETS: String(!lite) },
        plugins: [
          ...(mainEntryImported ? [mainEntryByName] : []),
          ...(lite ? [liteTwins(dist)] : []),
          ...(inlineBytes ? [bytesFirst(join(dist, from), inlineBytes)] : []),
          keepWasmSeparate(dist, inlineBytes === undefined),
        ],
        logLevel: "error",
      }),
    ),
  );
  const bundledAway = (file) => file.endsWith(".js") && !/^wasm[\\/](fleet-|lite-)?(wasm-bytes|module-)/.test(file);
  for (const file of readdirSync(dist, { recursive: true }).filter(bundledAway)) rmSync(join(dist, file));
  entries.forEach(({ file }, index) => writeFileSync(join(dist, file), built[index].outputFiles[0].contents));
}
