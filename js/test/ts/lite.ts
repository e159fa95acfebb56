// edgebreaker/lite's types, as a TypeScript user meets them: they leave out
// `fetch`, `snapshot`, `CircuitBreaker.restore`, `protectFetch`, `fleet` and
// the fetch options (this file must compile under `strict`; the @ts-expect-error
// lines must stay errors). Each is then used anyway, as plain JavaScript may:
// lite refuses it with a TypeError that says what to import. lite.test.mjs
// runs its tests.
import { CircuitBreaker as FullCircuitBreaker, type CircuitBreakerOptions as FullOptions } from "edgebreaker";
import * as lite from "edgebreaker/lite";
import { CircuitBreaker, type CircuitBreakerOptions } from "edgebreaker/lite";
import { check } from "./check.js";

const NOT_IN_LITE = 'is not in "edgebreaker/lite": import CircuitBreaker from "edgebreaker" for it';

/** The options "edgebreaker"'s types take and lite's leave out. */
type FullOnlyOption = Exclude<keyof FullOptions, keyof CircuitBreakerOptions>;

async function unreachable(): Promise<string> {
  throw new Error("a breaker reached its fleet");
}

/**
 * A valid value of each option lite leaves out. A key missing here, or one
 * lite's types keep, does not compile: these are the fleet and fetch options,
 * all of them and nothing else.
 */
const fullOnlyOptions: { [K in FullOnlyOption]-?: NonNullable<FullOptions[K]> } = {
  fleet: { syncIntervalMs: 1_000, timeoutMs: 100, sync: unreachable, lease: unreachable, settle: unreachable },
  isFailureResponse: (response) => response.status >= 500,
  firstByteTimeoutMs: 10_000,
  idleTimeoutMs: 10_000,
  maxRetryAfterMs: 60_000,
  onOpen: "respond",
  streamEnd: "llm",
  fetch: (input, init) => fetch(input, init),
};

/** What `act` threw or rejected with; undefined when it did neither. */
async function refusalOf(act: () => unknown): Promise<unknown> {
  try {
    await act();
  } catch (error) {
    return error;
  }
  return undefined;
}

function checkRefused(refusal: unknown, message: string): void {
  check(refusal instanceof TypeError && refusal.message === message, `expected a TypeError "${message}", got ${String(refusal)}`);
}

export const tests: { name: string; run: () => Promise<void> | void }[] = [
  {
    name: "lite's types have no fetch, snapshot, restore or protectFetch; each, used anyway, throws a TypeError saying what to import",
    async run() {
      const breaker = new CircuitBreaker();
      // @ts-expect-error: lite's breakers have no fetch
      checkRefused(await refusalOf(() => breaker.fetch("http://127.0.0.1:9/never-sent")), `breaker.fetch() ${NOT_IN_LITE}`);
      // @ts-expect-error: nor snapshot
      checkRefused(await refusalOf(() => breaker.snapshot()), `breaker.snapshot() ${NOT_IN_LITE}`);
      const snapshot = new FullCircuitBreaker().snapshot();
      // @ts-expect-error: lite's CircuitBreaker has no restore
      checkRefused(await refusalOf(() => CircuitBreaker.restore(snapshot)), `CircuitBreaker.restore() ${NOT_IN_LITE}`);
      // @ts-expect-error: nor does lite export protectFetch
      check(lite.protectFetch === undefined, "edgebreaker/lite exports protectFetch");
      check(breaker.state === "closed", "the breaker still answers");
    },
  },
  {
    name: "each option lite's types leave out (fleet and the fetch options), given anyway, is refused naming it; \"edgebreaker\" takes it",
    async run() {
      // @ts-expect-error: no fleet option on lite's breakers
      checkRefused(await refusalOf(() => new CircuitBreaker({ fleet: fullOnlyOptions.fleet })), unknownOption("fleet"));
      // @ts-expect-error: nor the fetch options
      checkRefused(await refusalOf(() => new CircuitBreaker({ idleTimeoutMs: 10_000 })), unknownOption("idleTimeoutMs"));
      for (const [option, value] of Object.entries(fullOnlyOptions)) {
        check(new FullCircuitBreaker({ [option]: value }).state === "closed", `"edgebreaker" takes ${option}`);
        checkRefused(await refusalOf(() => new CircuitBreaker({ [option]: value })), unknownOption(option));
        const name = `refused-${option}`;
        checkRefused(await refusalOf(() => lite.getCircuitBreaker(name, { [option]: value })), unknownOption(option));
        check(!(name in lite.listCircuitBreakers()), `the registry kept ${name}`);
      }
    },
  },
  {
    name: "a config shared with \"edgebreaker\" builds a lite breaker when the options lite leaves out are unset (undefined or null), as they are not set there either",
    run() {
      const shared: FullOptions = { name: "shared-config", failureThreshold: 2, fleet: undefined, onOpen: null, fetch: undefined };
      check(new FullCircuitBreaker(shared).state === "closed", '"edgebreaker" takes the unset options');
      check(new CircuitBreaker(shared as CircuitBreakerOptions).getStatus().config.failureThreshold === 2, "lite takes them, and the rest");
    },
  },
  {
    name: "protectFetch's own option, given to a lite breaker, is refused saying where protectFetch is",
    async run() {
      const expected = 'unknown option "key": "edgebreaker/lite" has no protectFetch; import { protectFetch } from "edgebreaker" for it';
      // @ts-expect-error: key is protectFetch's alone
      checkRefused(await refusalOf(() => new CircuitBreaker({ key: "x" })), expected);
    },
  },
];

function unknownOption(option: string): string {
  const lacks = option === "fleet" ? "fleets; import CircuitBreaker from \"edgebreaker\" for them" : "fetch layer; import CircuitBreaker from \"edgebreaker\" for breaker.fetch()";
  return `unknown option "${option}": "edgebreaker/lite" has no ${lacks}`;
}
