// What a minimal Worker uploads to Cloudflare: one that imports the library,
// builds one breaker and settles one call (harness/first-call.mjs), for
// edgebreaker and edgebreaker/lite (the packed tarball, as users install it)
// beside opossum and cockatiel, built by wrangler itself (`wrangler deploy
// --dry-run`, offline), with wrangler's defaults and with `minify: true`. Each
// is then run once in workerd (Miniflare), so that a Worker that builds but
// cannot start is said so.
//
//   node host-tests/bench/worker-size.mjs      (after `make build`; about 30 s)
//
// Two figures for each: the total wrangler prints (KiB, its gzip of every
// module together at zlib's default level), and the modules it wrote to
// --outdir measured here, raw and gzip -9 each, summed. The target (issue 13)
// is judged on wrangler's figure, for each of edgebreaker's two entries.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { workerModules } from "../harness/bundle.mjs";
import { fileName, firstCallModule, libraries, linkPeers, ours } from "../harness/first-call.mjs";
import { hostTestsDir, packAndInstall } from "../harness/packed.mjs";
import { COMPATIBILITY_DATE, why, wranglerDryRun } from "../harness/wrangler.mjs";
import { verdict } from "./fleet-figures.mjs";

const TARGET_GZIP_BYTES = 15_000; // ≤ 15 KB gzip, each of edgebreaker's minimal Workers with wrangler's defaults

const KIB = 1024;
const wranglerVersion = JSON.parse(readFileSync(join(hostTestsDir, "node_modules", "wrangler", "package.json"), "utf8")).version;
const sum = (modules, key) => modules.reduce((total, module) => total + module[key], 0);

/** Why the Worker wrangler wrote to `outdir` does not answer its first request with 1 in workerd; null when it does. */
async function failsInWorkerd(outdir, compatibilityFlags) {
  let workerdSaid = "";
  const miniflare = new Miniflare({
    ...workerModules(outdir, "worker.js"),
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags,
    // workerd's own output is kept for the reason, not echoed between the figures.
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume();
      stderr.setEncoding("utf8").on("data", (text) => (workerdSaid += text));
    },
  });
  try {
    const response = await miniflare.dispatchFetch("http://size.test/");
    const body = await response.text();
    return body === "1" ? null : why(body);
  } catch (error) {
    return why(`${workerdSaid}\n${error.message}`);
  } finally {
    await miniflare.dispose().catch(() => {}); // it throws a failed start again, answered above
  }
}

const consumer = packAndInstall();
try {
  linkPeers(consumer);
  const builds = {};
  for (const minify of [false, true]) {
    for (const [library, { compatibilityFlags }] of Object.entries(libraries)) {
      const folder = join(consumer, `${fileName(library)}${minify ? "-minified" : ""}`);
      mkdirSync(folder);
      writeFileSync(join(folder, "worker.js"), firstCallModule(library));
      try {
        const outdir = join(folder, "dist");
        const build = wranglerDryRun({ folder, main: "worker.js", outdir, compatibilityFlags, minify });
        // A size is worth printing only for a Worker that works: each is run once.
        builds[`${library} ${minify}`] = { ...build, failure: await failsInWorkerd(outdir, compatibilityFlags) };
      } catch (error) {
        builds[`${library} ${minify}`] = { error };
      }
    }
  }

  console.log(`minimal Worker (import, one breaker, one call), as wrangler ${wranglerVersion} \`deploy --dry-run\` would upload it`);
  for (const minify of [false, true]) {
    console.log(`\n  ${minify ? "minify: true" : "wrangler's defaults (not minified)"}`);
    console.log(`  ${"".padEnd(16)} ${"wrangler's Total Upload".padStart(26)}   ${"modules, gzip -9 each".padStart(24)}`);
    for (const [library, { compatibilityFlags = [] }] of Object.entries(libraries)) {
      const build = builds[`${library} ${minify}`];
      if (build.error) {
        console.log(`  ${library.padEnd(16)} wrangler cannot build it: ${why(build.error)}`);
        continue;
      }
      const { wranglerKiB, modules } = build;
      const wranglerFigure = `${wranglerKiB.raw.toFixed(2)} KiB / ${wranglerKiB.gzip.toFixed(2)} KiB gzip`;
      const measured = `${sum(modules, "raw")} B / ${sum(modules, "gzip")} B gzip`;
      const notes = [];
      if (compatibilityFlags.length) notes.push(`with ${compatibilityFlags.join(", ")}`);
      if (build.failure) notes.push(`built, but does not start in workerd: ${build.failure}`);
      if (ours.includes(library) && !minify) {
        const gzipBytes = wranglerKiB.gzip * KIB;
        notes.push(`target ≤ ${TARGET_GZIP_BYTES / 1000} KB gzip: ${verdict(gzipBytes <= TARGET_GZIP_BYTES)} (${(gzipBytes / 1000).toFixed(1)} KB)`);
      }
      console.log(`  ${library.padEnd(16)} ${wranglerFigure.padStart(26)}   ${measured.padStart(24)}   ${notes.join("; ")}`);
      if (ours.includes(library)) {
        for (const { file, raw, gzip } of modules) {
          const name = file.replace(/^[0-9a-f]{40}-/, ""); // wrangler names a .wasm after its hash
          console.log(`  ${"".padEnd(18)}${name.padEnd(26)} ${`${raw} B / ${gzip} B gzip`.padStart(24)}`);
        }
      }
    }
  }
} finally {
  rmSync(consumer, { recursive: true, force: true });
}
