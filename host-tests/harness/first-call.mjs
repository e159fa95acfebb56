// The smallest real use of each circuit breaker the benches compare: import
// it, build one breaker, settle one call through it. The size bench (through
// wrangler) and the cold-start benches (Node, workerd) all run these same
// modules, so each library is measured on one program everywhere.

import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { repoDir } from "./packed.mjs";

// Both of edgebreaker's entries export the same CircuitBreaker.
const edgebreakerFirstCall = `const breaker = new CircuitBreaker();
  return breaker.call(async () => 1);`;

/** edgebreaker's two entries first, then its peers (js/'s devDependencies), in the order the benches print them. */
export const libraries = {
  edgebreaker: {
    imports: `import { CircuitBreaker } from "edgebreaker";`,
    firstCall: edgebreakerFirstCall,
  },
  // The same program on the entry without breaker.fetch, snapshots and fleets, and its smaller wasm.
  "edgebreaker/lite": {
    imports: `import { CircuitBreaker } from "edgebreaker/lite";`,
    firstCall: edgebreakerFirstCall,
  },
  opossum: {
    imports: `import CircuitBreaker from "opossum";`,
    firstCall: `const breaker = new CircuitBreaker(async () => 1);
  try {
    return await breaker.fire();
  } finally {
    breaker.shutdown();
  }`,
    // opossum is built on node's `events`, which a Worker has only with this flag.
    compatibilityFlags: ["nodejs_compat"],
  },
  cockatiel: {
    imports: `import { circuitBreaker, handleAll, ConsecutiveBreaker } from "cockatiel";`,
    firstCall: `const policy = circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
  return policy.execute(async () => 1);`,
  },
};

/** The libraries that come from the packed tarball, each judged against the targets; the others are peers. */
export const ours = ["edgebreaker", "edgebreaker/lite"];

/** `library`'s name as a file or folder name ("edgebreaker/lite" has a slash). */
export const fileName = (library) => library.replace("/", "-");

/**
 * The module of `library`'s first call: it exports `firstCall()` (for the
 * cold-start benches to import when they start their clock) and, as a Worker,
 * answers every request with that call's value.
 */
export function firstCallModule(library) {
  const { imports, firstCall } = libraries[library];
  return `${imports}

export async function firstCall() {
  ${firstCall}
}

export default {
  async fetch() {
    return new Response(String(await firstCall()));
  },
};
`;
}

/** Makes the peers resolvable from a folder that `packAndInstall` made, from js/node_modules. */
export function linkPeers(folder) {
  for (const library of Object.keys(libraries).filter((name) => !ours.includes(name))) {
    symlinkSync(join(repoDir, "js", "node_modules", library), join(folder, "node_modules", library), "dir");
  }
}
