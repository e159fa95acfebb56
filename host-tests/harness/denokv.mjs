// denokv, the self-hosted Deno KV server (`make setup-denokv` installs it),
// run by the tests and benches on a free 127.0.0.1 port over a SQLite file in a
// temporary folder. Deno processes reach it with Deno.openKv(url) and the
// access token in DENO_KV_ACCESS_TOKEN. The server can be killed, frozen
// (SIGSTOP: it accepts connections and answers nothing), thawed, and started
// again on the same port over the same file or a fresh one.

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";

/** The access token the servers here require (denokv wants at least 12 characters). */
export const DENOKV_TOKEN = "edgebreaker-test-token";

/** The denokv binary: on PATH, or where `cargo install` puts it. */
export function denokvBinary() {
  for (const candidate of ["denokv", join(homedir(), ".cargo", "bin", "denokv")]) {
    try {
      execFileSync(candidate, ["--help"], { stdio: "ignore" });
      return candidate;
    } catch {}
  }
  throw new Error("denokv is not installed: run `make setup-denokv` (cargo install denokv --locked --version =0.14.0)");
}

/** A port free on 127.0.0.1 now (the server binds it just after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts denokv over a new SQLite file; resolves once it listens. `url` is
 * what Deno.openKv takes. `stop()` kills it (its data kept on disk),
 * `hang()` freezes it, `resume()` thaws it or starts it again over the same
 * file, `restart({ keepData })` kills it and starts it again over the same
 * file or a fresh one, `close()` kills it and removes its folder.
 */
export async function startDenoKv() {
  const binary = denokvBinary();
  const folder = mkdtempSync(join(tmpdir(), "edgebreaker-denokv-"));
  const sqlitePath = join(folder, "kv.sqlite");
  const port = await freePort();
  let server = await serve(binary, sqlitePath, port);
  let frozen = false;
  const kill = async () => {
    if (server === undefined) return;
    const stopped = server;
    server = undefined;
    if (frozen) stopped.child.kill("SIGCONT");
    frozen = false;
    await stopped.kill();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    token: DENOKV_TOKEN,
    sqlitePath,
    stop: kill,
    hang() {
      if (server === undefined || frozen) return;
      server.child.kill("SIGSTOP");
      frozen = true;
    },
    async resume() {
      if (frozen) {
        server.child.kill("SIGCONT");
        frozen = false;
      }
      server ??= await serve(binary, sqlitePath, port);
    },
    async restart({ keepData }) {
      await kill();
      if (!keepData) for (const suffix of ["", "-wal", "-shm"]) rmSync(sqlitePath + suffix, { force: true });
      server = await serve(binary, sqlitePath, port);
    },
    async close() {
      await kill();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** One denokv process on `port`, once it says it listens. */
function serve(binary, sqlitePath, port) {
  const child = spawn(binary, ["--sqlite-path", sqlitePath, "serve", "--access-token", DENOKV_TOKEN, "--addr", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: "info" },
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    return exited;
  };
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`denokv did not listen within 10 s:\n${output}`)), 10_000);
    const fail = (error) => {
      clearTimeout(timer);
      kill().then(() => reject(error));
    };
    const watch = (chunk) => {
      output += chunk;
      if (!/Listening on http:\/\/127\.0\.0\.1:\d+/.test(output)) return;
      clearTimeout(timer);
      for (const stream of [child.stdout, child.stderr]) stream.off("data", watch).resume(); // keep draining
      resolve({ child, kill });
    };
    for (const stream of [child.stdout, child.stderr]) stream.setEncoding("utf8").on("data", watch);
    exited.then((code) => fail(new Error(`denokv exited with ${code} before listening:\n${output}`)));
  });
}
