// Child processes for the runtimes that run as a command (node, deno).

import { execFile } from "node:child_process";
import { join } from "node:path";
import { hostTestsDir } from "./packed.mjs";

export const denoBinary = join(hostTestsDir, "node_modules", ".bin", "deno");

/** Runs a command to its end; resolves with { code, stdout, stderr }, never rejects on a non-zero exit. */
export function runCommand(command, args, { cwd, env = {}, timeoutMs = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return reject(error);
        resolve({ code: error ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** Runs a command that must succeed and print the suite's results as JSON on its last line. */
export async function resultsFrom(command, args, options) {
  const { code, stdout, stderr } = await runCommand(command, args, options);
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${code}\n${stderr}${stdout}`);
  const lastLine = stdout.trimEnd().split("\n").at(-1);
  return JSON.parse(lastLine);
}
