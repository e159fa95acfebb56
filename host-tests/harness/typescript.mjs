// `tsc` against a small consumer file, resolving the package the way one
// runtime's users resolve it (module resolution and export conditions).

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hostTestsDir } from "./packed.mjs";
import { runCommand } from "./processes.mjs";

const tsc = join(hostTestsDir, "node_modules", ".bin", "tsc");

/**
 * Uses the API with its real types; the @ts-expect-error line fails the check
 * if the package's types resolved to nothing (everything `any`).
 */
export const consumerSource = `import { CircuitBreaker, CircuitBreakerError, getCircuitBreaker, type State } from "edgebreaker";

const breaker = new CircuitBreaker({ failureThreshold: 2, clock: () => 0 });
export const answer: Promise<number> = breaker.call(async (a: number) => a * 2, 21);
export const state: State = breaker.state;
export const shared: CircuitBreaker = getCircuitBreaker("shared");
export const retryAfter = (error: unknown): number | null | undefined =>
  error instanceof CircuitBreakerError ? error.retryAfterMs : undefined;
// @ts-expect-error: a misspelt option is a type error, proving the types are real and not \`any\`
new CircuitBreaker({ failureTreshold: 2 });
`;

/** Writes `folder/consumer.ts` and a tsconfig with these compiler options, runs tsc; resolves with its result. */
export function checkTypes(folder, compilerOptions) {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "consumer.ts"), consumerSource);
  writeFileSync(
    join(folder, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: "es2022", skipLibCheck: false, types: [], ...compilerOptions },
      files: ["consumer.ts"],
    }),
  );
  return runCommand(tsc, ["-p", join(folder, "tsconfig.json")], { cwd: folder });
}
