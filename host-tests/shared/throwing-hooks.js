// A breaker whose every hook throws (two "statechange" listeners, one a
// function and one a handleEvent object, onStateChange and each logger
// method), driven closed -> open -> half_open -> closed. Runtime-neutral: a
// program in each runtime runs it as its whole work and must end normally,
// each error reported on stderr by console.error. A hook's error once became
// an uncaught exception, which ends a Node or Deno process (exit 1).

/**
 * @param {typeof import("edgebreaker")} edgebreaker the package, as the runtime imported it
 * @returns {Promise<{ heard: string[], state: string, metrics: object }>} what a well-behaved
 *   listener added after the throwing ones heard, and the breaker afterwards
 */
export async function driveThrowingHooks({ CircuitBreaker }) {
  let now = 0;
  const broke = (hook) => () => {
    throw new Error(`${hook} broke`);
  };
  const breaker = new CircuitBreaker({
    name: "fragile",
    failureThreshold: 1,
    windowSize: 1,
    resetTimeoutMs: 10,
    successThreshold: 1,
    clock: () => now,
    onStateChange: broke("onStateChange"),
    logger: { debug: broke("logger.debug"), info: broke("logger.info"), warn: broke("logger.warn") },
  });
  breaker.addEventListener("statechange", broke("listener"));
  breaker.addEventListener("statechange", { handleEvent: broke("handleEvent") });
  const heard = [];
  breaker.addEventListener("statechange", (event) => heard.push(event.detail.to));

  await breaker.call(async () => {
    throw new Error("upstream down");
  }).catch(() => undefined);
  now += 10;
  await breaker.call(async () => "ok");
  // Time for an error rethrown later (a microtask, process.nextTick, a timer) to surface.
  await new Promise((resolve) => setTimeout(resolve, 20));
  return { heard, state: breaker.state, metrics: breaker.getStatus().metrics };
}

/** The program each runtime runs (as an ES module beside node_modules/ and shared/). */
export const throwingHooksProgram = `import * as edgebreaker from "edgebreaker";
import { driveThrowingHooks } from "./shared/throwing-hooks.js";
console.log(JSON.stringify(await driveThrowingHooks(edgebreaker)));
`;

/**
 * What is wrong with a run of `throwingHooksProgram`, given its exit code and
 * output: [] when the process ended normally, the breaker went on, and each
 * hook's error was reported once per change, naming the breaker and the hook.
 */
export function throwingHooksProblems({ code, stdout, stderr }) {
  const problems = [];
  if (code !== 0) problems.push(`exit code ${code}`);
  let result;
  try {
    result = JSON.parse(stdout.trim().split("\n").at(-1));
  } catch {
    return [...problems, `no result on stdout: ${JSON.stringify(stdout)}; stderr: ${stderr}`];
  }
  if (result.heard.join() !== "open,half_open,closed") problems.push(`the last listener heard ${result.heard.join()}`);
  if (result.state !== "closed") problems.push(`state ${result.state}`);
  if (result.metrics.inFlight !== 0 || result.metrics.stateChanges !== 3) problems.push(`metrics ${JSON.stringify(result.metrics)}`);
  const expected = [
    ['a "statechange" listener', 2 * 3],
    ["onStateChange", 3],
    ["logger.warn", 1],
    ["logger.debug", 1],
    ["logger.info", 1],
  ];
  for (const [hook, times] of expected) {
    const line = `circuit breaker "fragile": ${hook} threw; the breaker goes on.`;
    const seen = stderr.split(line).length - 1;
    if (seen !== times) problems.push(`stderr has ${JSON.stringify(line)} ${seen} times, not ${times}`);
  }
  for (const hook of ["listener", "handleEvent", "onStateChange", "logger.warn"]) {
    if (!stderr.includes(`${hook} broke`)) problems.push(`stderr lacks the error "${hook} broke"`);
  }
  if (problems.length > 0) problems.push(`stderr: ${stderr}`);
  return problems;
}
