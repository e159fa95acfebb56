// "edgebreaker/prometheus": the breakers' figures in the Prometheus text
// exposition format (version 0.0.4), for a /metrics route. It reads the
// registry of the "edgebreaker" the application imports (this entry imports
// that one, not a copy of it) through the flat figures export: one core call
// per breaker, no status object per breaker.
import { circuitBreakerFigures, FIGURES, type BreakerFigures, type CircuitBreaker } from "../index.js";

/** The `Content-Type` of `prometheusMetrics()`'s text, as Prometheus expects it from a scrape. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One metric family: its name, type, help, and one line per breaker (or none). */
interface Family {
  readonly name: string;
  readonly type: "gauge" | "counter";
  readonly help: string;
  /** The samples of breaker `index`, each `{labels} value` after the family's name; `label` is `breaker="<name>"`. */
  readonly samples: (figures: BreakerFigures, index: number, label: string) => string[];
}

const figure = (figures: BreakerFigures, index: number, offset: number): number => figures.figures[index * FIGURES.count + offset]!;

const OUTCOMES = [
  ["success", FIGURES.successfulCalls],
  ["failure", FIGURES.failedCalls],
  ["ignored", FIGURES.ignoredCalls],
  ["blocked", FIGURES.blockedCalls],
] as const;

/** Every family but the transitions, whose samples are rows of their own. */
const FAMILIES: readonly Family[] = [
  {
    name: "edgebreaker_state",
    type: "gauge",
    help: "Whether the circuit is in this state (1) or not (0).",
    samples: (figures, index, label) => {
      const state = figure(figures, index, FIGURES.state);
      return figures.states.map((name, code) => `{${label},state="${name}"} ${code === state ? 1 : 0}`);
    },
  },
  {
    name: "edgebreaker_calls_total",
    type: "counter",
    help:
      "Calls by outcome: success; failure (slow successes and timeouts included); ignored (isFailure said the error was not the upstream's fault); blocked (refused by the circuit).",
    samples: (figures, index, label) => OUTCOMES.map(([outcome, offset]) => `{${label},outcome="${outcome}"} ${figure(figures, index, offset)}`),
  },
  {
    name: "edgebreaker_slow_calls_total",
    type: "counter",
    help: "Successes that took at least slowCallMs (also counted as failures).",
    samples: (figures, index, label) => [`{${label}} ${figure(figures, index, FIGURES.slowCalls)}`],
  },
  {
    name: "edgebreaker_calls_in_flight",
    type: "gauge",
    help: "Calls admitted and not yet settled.",
    samples: (figures, index, label) => [`{${label}} ${figure(figures, index, FIGURES.inFlight)}`],
  },
  {
    name: "edgebreaker_window_failure_ratio",
    type: "gauge",
    help: "Failures over outcomes in the breaker's current window (0 when it is empty).",
    samples: (figures, index, label) => [`{${label}} ${figure(figures, index, FIGURES.failureRate)}`],
  },
  {
    name: "edgebreaker_retry_after_seconds",
    type: "gauge",
    help: "Seconds until the open circuit lets a probe through; 0 unless open; +Inf when forced open until reset().",
    samples: (figures, index, label) => {
      const ms = figure(figures, index, FIGURES.retryAfterMs);
      return [`{${label}} ${Number.isNaN(ms) ? "+Inf" : ms / 1_000}`];
    },
  },
];

const TRANSITIONS: Omit<Family, "samples"> = {
  name: "edgebreaker_transitions_total",
  type: "counter",
  help: "Changes of state, by the state left, the state entered and the cause the breaker decided.",
};

/**
 * The text a Prometheus scrape of `breakers` reads (every registered breaker
 * when none are given), served with `PROMETHEUS_CONTENT_TYPE`. Each breaker is
 * read at its clock's time; its name is its `breaker` label.
 * @throws TypeError when `breakers` is not an iterable of `CircuitBreaker`s, or
 *   two of them share a name (their series would collide); nothing is read then.
 */
export function prometheusMetrics(breakers?: Iterable<CircuitBreaker<unknown>> | null): string {
  if (breakers != null) breakers = distinctlyNamed(breakers);
  const figures = circuitBreakerFigures(breakers);
  const labels = figures.names.map((name) => `breaker="${labelValue(name)}"`);
  const lines: string[] = [];
  for (const family of FAMILIES) {
    header(lines, family);
    labels.forEach((label, index) => {
      for (const sample of family.samples(figures, index, label)) lines.push(family.name + sample);
    });
  }
  header(lines, TRANSITIONS);
  const { transitions, states, causes } = figures;
  for (let row = 0; row + 5 <= transitions.length; row += 5) {
    const [index, from, to, cause, count] = transitions.subarray(row, row + 5);
    lines.push(
      `${TRANSITIONS.name}{${labels[index!]},from="${states[from!]}",to="${states[to!]}",cause="${causes[cause!]}"} ${count}`,
    );
  }
  lines.push("");
  return lines.join("\n");
}

function header(lines: string[], family: Omit<Family, "samples">): void {
  lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
}

/** A label value as the exposition format quotes it: backslash, double quote and line feed escaped. */
function labelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (character) => (character === "\n" ? "\\n" : `\\${character}`));
}

/** `breakers` as an array whose names are distinct (a non-iterable is left to `circuitBreakerFigures` to refuse). */
function distinctlyNamed(breakers: Iterable<CircuitBreaker<unknown>>): Iterable<CircuitBreaker<unknown>> {
  if (typeof (breakers as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") return breakers;
  const list = Array.from(breakers);
  const seen = new Set<unknown>();
  for (const breaker of list) {
    const name = (breaker as { name?: unknown } | null)?.name;
    if (typeof name === "string" && seen.has(name)) {
      throw new TypeError(`breakers: two are named ${JSON.stringify(name)}, and a metric needs one name per breaker`);
    }
    seen.add(name);
  }
  return list;
}
