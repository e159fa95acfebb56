// Starting code in the real runtimes: a Worker in workerd (Miniflare), bundled
// as wrangler bundles it, and a script under the real Deno binary. Both run on
// 127.0.0.1 against the packed package (harness/packed.mjs), so what is
// tested is what a user installs.

import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { Miniflare } from "miniflare";
import { bundleWorker, workerModules } from "../harness/bundle.mjs";
import { consumerFolder, repoDir } from "../harness/packed.mjs";
import { denoBinary } from "../harness/processes.mjs";

export const examplesDir = join(repoDir, "js", "examples");

/**
 * Copies `source` (a folder) into a new folder inside the consumer folder,
 * where the bare specifier "edgebreaker" resolves to the installed tarball
 * (the node_modules above it), not to the examples' "file:../.." (js/ itself).
 */
export function stage(source) {
  const folder = mkdtempSync(join(consumerFolder(), `${basename(source)}-`));
  cpSync(source, folder, { recursive: true, filter: (path) => !path.includes("node_modules") });
  return folder;
}

const bundles = new Map();

/**
 * `entry` bundled (once per entry) and started in workerd with `bindings` as
 * its env; the Worker listens on 127.0.0.1. `compatibilityDate` as the
 * project's wrangler.toml gives it.
 */
export async function startWorkerd(entry, { bindings = {}, compatibilityDate = "2025-09-01", compatibilityFlags = [], port = 0 } = {}) {
  if (!bundles.has(entry)) bundles.set(entry, bundleWorker(entry, join(dirname(entry), "dist")));
  const { script } = await bundles.get(entry);
  const outdir = join(dirname(entry), "dist");
  const worker = new Miniflare({
    ...workerModules(outdir, script),
    compatibilityDate,
    compatibilityFlags,
    bindings,
    host: "127.0.0.1",
    port,
  });
  // A Worker that cannot start (its port taken, say) leaves no workerd running.
  const url = await worker.ready.catch(async (error) => {
    await worker.dispose();
    throw error;
  });
  return { url: url.origin, stop: () => worker.dispose() };
}

/** The Cloudflare example as its wrangler.toml describes it (main, compatibility_date, [vars]), with `vars` overriding. */
export async function startCloudflareExample(folder, vars, { port = 0 } = {}) {
  const config = readWranglerToml(join(folder, "wrangler.toml"));
  return startWorkerd(join(folder, config.main), {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    bindings: { ...config.vars, ...vars },
    port,
  });
}

/**
 * Runs `args` (e.g. ["run", "--allow-net", "main.ts"]) with the real deno
 * binary in `cwd`, never prompting for a permission, until it prints
 * "Listening on http://127.0.0.1:<port>/" (Deno.serve's own line). `env`
 * adds to this process's environment; a variable set to undefined is removed.
 * `stderr()` is all it has written there so far.
 */
export function startDeno(args, { cwd, env = {} }) {
  const [command, ...rest] = args;
  const merged = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env };
  const child = spawn(denoBinary, [command, "--no-prompt", ...rest], {
    cwd,
    env: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`deno did not start listening within 30 s:\n${output}`)), 30_000);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill();
      reject(error);
    };
    // Deno.serve prints its line on stderr (Deno 2); either stream will do.
    const watch = (chunk) => {
      output += chunk;
      const listening = /Listening on (http:\/\/127\.0\.0\.1:\d+)\//.exec(output);
      if (!listening) return;
      clearTimeout(timer);
      for (const stream of [child.stdout, child.stderr]) stream.off("data", watch).resume(); // keep draining
      resolve({
        url: listening[1],
        stderr: () => stderr,
        stop: () => {
          child.kill();
          return exited;
        },
      });
    };
    child.stdout.setEncoding("utf8").on("data", watch);
    child.stderr.on("data", watch);
    exited.then((code) => fail(new Error(`deno exited with ${code} before listening:\n${output}`)));
  });
}

/** The Deno example the way its deno.json's `start` task runs it (same permissions), with `env`. */
export function startDenoExample(folder, env) {
  const task = JSON.parse(readFileSync(join(folder, "deno.json"), "utf8")).tasks.start;
  const [program, ...args] = task.split(/\s+/);
  if (program !== "deno") throw new Error(`unexpected start task: ${task}`);
  return startDeno(args, { cwd: folder, env });
}

/** Enough of TOML for a wrangler.toml: `key = "string"` or `key = ["string", ...]`, and tables such as [vars]. */
function readWranglerToml(path) {
  const config = { vars: {} };
  let table = config;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const text = line.replace(/#.*$/, "").trim();
    if (!text) continue;
    const section = /^\[(\w+)\]$/.exec(text);
    if (section) {
      table = config[section[1]] ??= {};
      continue;
    }
    const pair = /^(\w+)\s*=\s*("[^"]*"|\[(?:\s*"[^"]*"\s*,?)*\])$/.exec(text);
    if (!pair) throw new Error(`${relative(repoDir, path)}: cannot read line ${JSON.stringify(line)}`);
    table[pair[1]] = JSON.parse(pair[2].replace(/,\s*\]$/, "]"));
  }
  return config;
}
