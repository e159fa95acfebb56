// This folder staged beside the installed package (once per process), where
// "edgebreaker" resolves to the packed tarball: every engine's members run
// member.mjs from here (bundled into a Worker, or imported by a Deno or Node
// process), so the members run what a user installs.

import { stage } from "../edge/runtimes.mjs";

let staged;

/** The staged copy of host-tests/fleet/ (member.mjs, workers/, ...), made at the first call. */
export function stagedFleetFolder() {
  staged ??= stage(import.meta.dirname);
  return staged;
}
