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
 * project's wrangler.toml gives it. `stdout()` is what the Worker has logged so far (console.log
 * and console.info, a line each), which is still printed as Miniflare prints it.
 */
export async function startWorkerd(entry, { bindings = {}, durableObjects = {}, compatibilityDate = "2025-09-01", compatibilityFlags = [], port = 0 } = {}) {
  let stdout = "";
  const worker = new Miniflare({
    handleStructuredLogs: ({ level, message }) => {
      const toStdout = level === "log" || level === "info";
      if (toStdout) stdout += `${message}\n`;
      (toStdout ? process.stdout : process.stderr).write(`${message}\n`);
    },
    ...(await bundledModules(entry)),
    compatibilityDate,
    compatibilityFlags,
    bindings,
    durableObjects,
    host: "127.0.0.1",
    port,
  });
  return { url: (await readyOrDisposed(worker)).origin, stop: () => worker.dispose(), stdout: () => stdout };
}

/** Miniflare's module options for `entry`, bundled once per entry into dist/ beside it. */
async function bundledModules(entry) {
  const outdir = join(dirname(entry), "dist");
  if (!bundles.has(entry)) bundles.set(entry, bundleWorker(entry, outdir));
  const { script } = await bundles.get(entry);
  return workerModules(outdir, script);
}

/** Miniflare's URL once ready; one that cannot start (its port taken, say) leaves no workerd running. */
function readyOrDisposed(miniflare) {
  return miniflare.ready.catch(async (error) => {
    await miniflare.dispose();
    throw error;
  });
}

/**
 * The Cloudflare example as its wrangler.toml describes it (main, compatibility_date, [vars],
 * its Durable Object bindings and their migrations), with `vars` overriding; `fleet: false`
 * leaves the Durable Object bindings out (the example then keeps a breaker per isolate).
 */
export async function startCloudflareExample(folder, vars, { port = 0, fleet = true } = {}) {
  const config = readWranglerToml(join(folder, "wrangler.toml"));
  return startWorkerd(join(folder, config.main), {
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    bindings: { ...config.vars, ...vars },
    durableObjects: fleet ? durableObjectsOf(config) : {},
    port,
  });
}

/**
 * The Cloudflare example as a fleet: `isolates` Workers running it, each its own isolate, all
 * bound to the one Durable Object namespace of the first (whose script exports the class, as a
 * deployment's would), so they share one coordinator per breaker. In front of them on `port`,
 * isolate-router.js spreads requests over them round-robin, as Cloudflare spreads a Worker's
 * traffic over its isolates. Each isolate also listens on a port of its own (`isolates[i].url`).
 */
export async function startCloudflareFleet(folder, vars, { isolates = 3, port = 0 } = {}) {
  const config = readWranglerToml(join(folder, "wrangler.toml"));
  const modules = await bundledModules(join(folder, config.main));
  const names = Array.from({ length: isolates }, (_, index) => `isolate-${index + 1}`);
  const ownNamespaces = durableObjectsOf(config);
  const firstsNamespaces = Object.fromEntries(
    Object.entries(ownNamespaces).map(([binding, { className }]) => [binding, { className, scriptName: names[0] }]),
  );
  const compatibility = { compatibilityDate: config.compatibility_date, compatibilityFlags: config.compatibility_flags };
  const fleet = new Miniflare({
    workers: [
      {
        name: "router",
        modules: true,
        scriptPath: join(import.meta.dirname, "isolate-router.js"),
        modulesRoot: import.meta.dirname,
        compatibilityDate: config.compatibility_date,
        serviceBindings: Object.fromEntries(names.map((name, index) => [`ISOLATE_${index + 1}`, name])),
        bindings: { ISOLATE_COUNT: isolates },
      },
      ...names.map((name, index) => ({
        name,
        ...modules,
        ...compatibility,
        bindings: { ...config.vars, ...vars },
        durableObjects: index === 0 ? ownNamespaces : firstsNamespaces,
        unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
      })),
    ],
    host: "127.0.0.1",
    port,
  });
  const url = await readyOrDisposed(fleet);
  const direct = await Promise.all(names.map(async (name) => ({ name, url: (await fleet.unsafeGetDirectURL(name)).origin })));
  return { url: url.origin, isolates: direct, stop: () => fleet.dispose() };
}

/**
 * Miniflare's `durableObjects` for the bindings of a wrangler.toml. A class without a
 * migration creating it would not deploy: refused here too, as wrangler would.
 */
function durableObjectsOf(config) {
  const created = (kind) => new Set((config.migrations ?? []).flatMap((migration) => migration[kind] ?? []));
  const [sqlite, keyValue] = [created("new_sqlite_classes"), created("new_classes")];
  const bindings = config.durable_objects?.bindings ?? [];
  return Object.fromEntries(
    bindings.map(({ name, class_name: className }) => {
      if (!sqlite.has(className) && !keyValue.has(className)) throw new Error(`wrangler.toml: no [[migrations]] entry creates ${className}`);
      return [name, { className, useSQLite: sqlite.has(className) }];
    }),
  );
}

/**
 * Runs `args` (e.g. ["run", "--allow-net", "main.ts"]) with the real deno
 * binary in `cwd`, never prompting for a permission, until it prints
 * "Listening on http://127.0.0.1:<port>/" (Deno.serve's own line). `env`
 * adds to this process's environment; a variable set to undefined is removed.
 * `stderr()` and `stdout()` are all it has written there so far.
 */
export function startDeno(args, { cwd, env = {} }) {
  const [command, ...rest] = args;
  const merged = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env };
  const child = spawn(denoBinary, [command, "--no-prompt", ...rest], {
    cwd,
    env: Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let [stdout, stderr] = ["", ""];
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
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
        stdout: () => stdout,
        stop: () => {
          child.kill();
          return exited;
        },
      });
    };
    child.stdout.on("data", watch);
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

/**
 * Enough of TOML for a wrangler.toml: `key = "string"` or `key = ["string", ...]`, tables such
 * as [vars], and arrays of tables such as [[durable_objects.bindings]] (each a new table).
 */
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
    const arrayOfTables = /^\[\[(\w+(?:\.\w+)*)\]\]$/.exec(text);
    if (arrayOfTables) {
      const keys = arrayOfTables[1].split(".");
      const last = keys.pop();
      const parent = keys.reduce((outer, key) => (outer[key] ??= {}), config);
      (parent[last] ??= []).push((table = {}));
      continue;
    }
    const pair = /^(\w+)\s*=\s*("[^"]*"|\[(?:\s*"[^"]*"\s*,?)*\])$/.exec(text);
    if (!pair) throw new Error(`${relative(repoDir, path)}: cannot read line ${JSON.stringify(line)}`);
    table[pair[1]] = JSON.parse(pair[2].replace(/,\s*\]$/, "]"));
  }
  return config;
}
