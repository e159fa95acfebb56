// The package as a user gets it: `npm pack` of js/, installed from the tarball
// into a fresh folder outside the repository, so nothing resolves to the source
// tree or to the repository's node_modules.
//
// run.mjs packs once and passes the folder on in EDGEBREAKER_CONSUMER; a test
// file run on its own (`node --test deno/`) packs for itself.

import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const hostTestsDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const repoDir = resolve(hostTestsDir, "..");
const vectorsDir = join(hostTestsDir, "vectors");

/**
 * Packs js/ (or EDGEBREAKER_PACKAGE_DIR) and installs the tarball into a new
 * temporary folder, beside the runtime-neutral files (shared/*.js) and the
 * vectors as a module (vectors.js), which every runtime can import without
 * file-system access. Returns that folder.
 */
export function packAndInstall() {
  const folder = mkdtempSync(join(tmpdir(), "edgebreaker-consumer-"));
  try {
    install(folder);
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
  return folder;
}

function install(folder) {
  // Scripts are skipped: `make package` has already built what the tarball ships.
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", folder], {
      cwd: process.env.EDGEBREAKER_PACKAGE_DIR ?? join(repoDir, "js"),
      encoding: "utf8",
    }),
  );
  const tarball = join(folder, packed[0].filename);
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", tarball], {
    cwd: folder,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const installed = join(folder, "node_modules", "edgebreaker");
  const { exports } = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
  const files = Object.values(exports).flatMap((target) => (typeof target === "string" ? [target] : Object.values(target)));
  const missing = [...new Set(files)].filter((file) => !existsSync(join(installed, file)));
  if (missing.length) throw new Error(`the tarball lacks ${missing.join(", ")}: run \`make package\` first`);
  cpSync(join(hostTestsDir, "shared"), join(folder, "shared"), { recursive: true });
  writeFileSync(join(folder, "vectors.js"), `export default ${JSON.stringify(loadVectors())};\n`);
}

let ownFolder;

/** The consumer folder for this run: the one run.mjs made, or one made now and removed at exit. */
export function consumerFolder() {
  if (process.env.EDGEBREAKER_CONSUMER) return process.env.EDGEBREAKER_CONSUMER;
  if (!ownFolder) {
    ownFolder = packAndInstall();
    process.on("exit", () => rmSync(ownFolder, { recursive: true, force: true }));
  }
  return ownFolder;
}

/** Every conformance vector file, sorted, as { file, ...vector }. */
function loadVectors() {
  return readdirSync(vectorsDir)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => ({ file, ...JSON.parse(readFileSync(join(vectorsDir, file), "utf8")) }));
}
