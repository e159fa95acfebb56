// A Worker built by wrangler itself, as `wrangler deploy` would upload it,
// stopped before the upload: `wrangler deploy --dry-run --outdir` bundles it
// and writes every module it would send. Offline: no account (the API token
// is taken out of its environment), no metrics, no update check (that comes
// with the banner, hidden).

import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { hostTestsDir } from "./packed.mjs";

/** The compatibility date of every Worker wrangler builds here (workerd's own must not be older). */
export const COMPATIBILITY_DATE = "2025-09-01";

const wranglerBin = join(hostTestsDir, "node_modules", "wrangler", "bin", "wrangler.js");

// What wrangler writes to --outdir beside the modules without uploading them:
// a README about the folder, and source maps unless `upload_source_maps` is set.
const notUploaded = (file) => file === "README.md" || file.endsWith(".map");

/**
 * Builds the Worker whose entry is `folder/main` into `outdir`, minified if
 * `minify` (wrangler's default is not to). Returns the size wrangler printed
 * ("Total Upload: … KiB / gzip: … KiB", its gzip of all modules together at
 * zlib's default level) and each uploaded module with its own size, raw and
 * gzip -9; or throws wrangler's error output.
 */
export function wranglerDryRun({ folder, main, outdir, compatibilityFlags = [], minify = false }) {
  writeFileSync(
    join(folder, "wrangler.json"),
    JSON.stringify({ name: "minimal-worker", main, compatibility_date: COMPATIBILITY_DATE, compatibility_flags: compatibilityFlags, minify }),
  );
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", WRANGLER_LOG_PATH: join(folder, "wrangler-logs"), NO_COLOR: "1", FORCE_COLOR: "0" };
  for (const credential of ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_EMAIL", "CLOUDFLARE_ACCOUNT_ID", "CF_API_TOKEN"]) delete env[credential];
  let printed;
  try {
    printed = execFileSync(process.execPath, [wranglerBin, "deploy", "--dry-run", "--outdir", outdir], { cwd: folder, env, encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    throw new Error(`wrangler deploy --dry-run failed:\n${error.stdout}${error.stderr}`.trim());
  }
  const total = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(printed);
  if (!total) throw new Error(`wrangler printed no "Total Upload" line:\n${printed}`);
  const modules = readdirSync(outdir)
    .filter((file) => !notUploaded(file))
    .map((file) => {
      const bytes = readFileSync(join(outdir, file));
      return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  return { wranglerKiB: { raw: Number(total[1]), gzip: Number(total[2]) }, modules };
}

/** The line of a failure that says why: workerd's uncaught error, esbuild's error, or the first line. */
export function why(error) {
  const lines = String(error?.message ?? error).split("\n");
  const uncaught = lines.map((line) => /Uncaught (.*)/.exec(line)?.[1]).find(Boolean);
  const line = uncaught ?? lines.find((line) => /\[ERROR\]|Error:/.test(line))?.trim() ?? lines[0];
  return line.replace(/ To fix this error.*/, ""); // workerd's advice to move the call into a handler, with a link
}
