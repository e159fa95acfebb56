// The one test runner of the JavaScript side (`make test` runs it beside the
// Rust side's lint and cargo test): packs js/ once, installs the tarball into
// a temporary folder, runs every suite below against it, one after another,
// and prints one line per suite and then `N passed, N failed` alone on the
// last line. Exits 1 when anything failed. Assumes `make package` has run.
//
//   node host-tests/run.mjs              every suite
//   node host-tests/run.mjs edge page    only those (names below)
//   EDGEBREAKER_KEEP=1 ...               keeps the installed folder for a look afterwards

import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, statfsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { stageNodeApiTests } from "../js/test/stage.mjs";
import { hostTestsDir, packAndInstall, repoDir } from "./harness/packed.mjs";

/**
 * name → the node:test files it runs: paths under host-tests/, or `stage`,
 * which puts them in the installed folder and returns them relative to it.
 * host-tests' suites run one file at a time (each starts runtimes and servers).
 * `unpacked`: the suite uses no installed package (the page bundles js/ itself),
 * so running it alone packs nothing.
 */
const suites = [
  { name: "js", about: "js/test: the Node API, the README's snippets, the types", stage: stageNodeApiTests },
  { name: "node", about: "vectors, fleet vectors, smoke, snippets and types in Node", files: ["node/node.test.mjs", "node/fleet-vectors.test.mjs"] },
  { name: "deno", about: "the same in Deno", files: ["deno/deno.test.mjs"] },
  { name: "workerd", about: "the same and the fuzz in workerd (Miniflare)", files: ["workerd/workerd.test.mjs"] },
  { name: "browser", about: "the same in Chromium", files: ["browser/browser.test.mjs"] },
  { name: "fake-upstream", about: "the fake LLM upstream the edge suite stands on", files: ["fake-upstream/server.test.mjs"], unpacked: true },
  {
    name: "edge",
    about: "breaker.fetch and the examples in workerd and Deno, and make demo",
    files: ["edge/judgement.test.mjs", "edge/upstream-only.test.mjs", "edge/examples.test.mjs", "edge/snippets.test.mjs", "edge/demo.test.mjs"],
  },
  { name: "fleet", about: "one breaker for four workerd isolates: the Durable Object coordinator and the fleet option", files: ["fleet/cloudflare.test.mjs"] },
  { name: "fleet-deno", about: "the same fleet on four Deno processes sharing Deno KV (denokv): edgebreaker/deno", files: ["fleet/deno.test.mjs"] },
  {
    name: "fleet-redis",
    about: "one breaker for four Node processes sharing a real redis-server: the scenarios, the scripts' atomicity, the clients, the Node example",
    files: ["fleet/redis.test.mjs", "fleet/redis-example.test.mjs"],
  },
  { name: "page", about: "the demo page in Chromium", files: ["www/demo.test.mjs"], unpacked: true },
];

// The suites' temporary files (the installed package, Chromium's profile, the
// denokv and redis data) go to memory where the system offers room, unless
// TMPDIR says otherwise: `make test` runs the suites beside cargo, whose
// gigabytes of writes can hold up a write to disk long enough to miss a suite's
// deadline. (A container's /dev/shm is often 64 MB, which Chromium needs itself.)
if (!process.env.TMPDIR && roomFor(2 ** 30, "/dev/shm")) process.env.TMPDIR = "/dev/shm";

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !suites.some((suite) => suite.name === name));
if (unknown.length) {
  console.error(`unknown suite ${unknown.join(", ")}; choose from ${suites.map(({ name }) => name).join(", ")}`);
  process.exit(2);
}

const lines = [];
const total = { passed: 0, failed: 0 };
let consumer;
try {
  for (const suite of suites.filter(({ name }) => !chosen.length || chosen.includes(name))) {
    if (!suite.unpacked) consumer ??= packAndInstall();
    console.log(`\n== ${suite.name}: ${suite.about}`);
    const started = Date.now();
    const counts = runSuite(suite, consumer);
    const seconds = Math.round((Date.now() - started) / 1000);
    const skipped = counts.skipped ? `, ${counts.skipped} skipped` : "";
    lines.push(`${suite.name.padEnd(14)} ${counts.passed} passed, ${counts.failed} failed${skipped} (${seconds} s)`);
    total.passed += counts.passed;
    total.failed += counts.failed;
  }
} catch (error) {
  console.error(error.stack ?? String(error));
  lines.push(`stopped: ${error.message}`);
  total.failed += 1;
} finally {
  if (process.env.EDGEBREAKER_KEEP) console.error(`kept ${consumer}`);
  else if (consumer) rmSync(consumer, { recursive: true, force: true });
}
console.log(`\n${lines.join("\n")}\n${total.passed} passed, ${total.failed} failed`);
process.exit(total.failed === 0 ? 0 : 1);

/** Runs one suite's files under node --test; its counts, a suite that could not run or exited non-zero with no failure counted as one failure. */
function runSuite({ name, stage, files }, consumer) {
  let cwd = hostTestsDir;
  let testFiles = files;
  let concurrency = ["--test-concurrency=1"];
  if (stage) {
    try {
      testFiles = stage(consumer);
    } catch (error) {
      console.error(`${name}: ${error.message}${error.stdout ? `\n${error.stdout}` : ""}`);
      return { passed: 0, failed: 1, skipped: 0 };
    }
    cwd = consumer;
    concurrency = [];
  }
  const countsDir = mkdtempSync(join(tmpdir(), "edgebreaker-counts-"));
  const countsFile = join(countsDir, "counts.json");
  try {
    const run = spawnSync(
      process.execPath,
      [
        "--test",
        ...concurrency,
        `--test-reporter=${process.stdout.isTTY ? "spec" : "tap"}`,
        "--test-reporter-destination=stdout",
        `--test-reporter=${join(hostTestsDir, "harness", "count-reporter.mjs")}`,
        `--test-reporter-destination=${countsFile}`,
        ...testFiles,
      ],
      { cwd, stdio: "inherit", env: consumer ? { ...process.env, EDGEBREAKER_CONSUMER: consumer } : process.env },
    );
    let counts;
    try {
      counts = JSON.parse(readFileSync(countsFile, "utf8"));
    } catch {
      counts = { passed: 0, failed: 0, skipped: 0 };
    }
    if (run.status !== 0 && counts.failed === 0) {
      console.error(`${name}: node --test ${testFiles.map((file) => relative(repoDir, join(cwd, file))).join(" ")} exited with ${run.status ?? run.signal}`);
      counts.failed = 1;
    }
    return counts;
  } finally {
    rmSync(countsDir, { recursive: true, force: true });
  }
}

/** Whether `folder` takes writes and has `bytes` free. */
function roomFor(bytes, folder) {
  try {
    accessSync(folder, constants.W_OK);
    const { bavail, bsize } = statfsSync(folder);
    return bavail * bsize >= bytes;
  } catch {
    return false;
  }
}
