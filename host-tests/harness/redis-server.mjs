// A real redis-server (Debian's, `make setup-redis`) for a test or a bench:
// on a free 127.0.0.1 port, its data in a temporary folder of its own. Every
// write is in its append-only file before it is acknowledged (appendonly yes:
// written to the file before the reply goes), so a server killed (SIGKILL) and
// started again keeps everything it answered: the kernel holds what a killed
// process wrote. Not fsynced (appendfsync no): a machine crash is not what the
// tests are about, and with appendfsync always each write waited for the disk,
// up to half a second on a busy machine, in Redis's one thread.

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A free port on 127.0.0.1 (nothing listens on it once this resolves). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts redis-server; resolves once it accepts connections. `url` is its
 * redis:// address. `kill()` ends it at once (SIGKILL: what a crash does),
 * `start({ keepData })` starts it again on the same port (with its data, or
 * a fresh folder), `pause()` / `resume()` stop and continue it (SIGSTOP /
 * SIGCONT: it accepts connections and answers nothing), `stop()` ends it for
 * good and removes its data.
 */
export async function startRedisServer() {
  const port = await freePort();
  let dir;
  let child;
  let exited;
  const start = async ({ keepData = true } = {}) => {
    if (!keepData || dir === undefined) {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
      dir = mkdtempSync(join(tmpdir(), "edgebreaker-redis-"));
    }
    ({ child, exited } = await launch(port, dir));
  };
  const kill = async () => {
    if (!child) return;
    child.kill("SIGCONT"); // a paused server dies at once too
    child.kill("SIGKILL");
    await exited;
    child = undefined;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get running() {
      return child !== undefined;
    },
    start,
    kill,
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** redis-server on `port` with its data in `dir`, once it says it is ready. */
function launch(port, dir) {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync", "no", "--save", "", "--daemonize", "no"];
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  // A test process that exits without its after hooks (process.exit, an uncaught error) takes its server along.
  const orphaned = () => child.kill("SIGKILL");
  process.once("exit", orphaned);
  const exited = new Promise((resolve) => child.once("exit", resolve)).finally(() => process.off("exit", orphaned));
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`redis-server did not get ready within 10 s:\n${output}`)), 10_000);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(error);
    };
    child.once("error", (error) => fail(new Error(`redis-server could not start (make setup-redis installs it): ${error.message}`)));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (output += chunk));
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      output += chunk;
      if (!/Ready to accept connections/.test(output)) return;
      clearTimeout(timer);
      child.stdout.removeAllListeners("data").resume();
      resolve({ child, exited });
    });
    exited.then((code) => fail(new Error(`redis-server exited with ${code} before it was ready:\n${output}`)));
  });
}
