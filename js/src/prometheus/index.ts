// "edgebreaker/prometheus": the breakers' figures in the Prometheus text
// exposition format (version 0.0.4), for a /metrics route. It reads the
// registry of the "edgebreaker" the application imports (this entry imports
// that one, not a copy of it) through the flat figures export: one core call
// per breaker, no status object per breaker.
import { circuitBreakerFigures, FIGURES, type BreakerFigures, type CircuitBreaker } from "../index.js";

/** The `Content-Type` of `prometheusMetrics()`'s text, as Prometheus expects it from a scrape. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One metric family: its name, type, help, and its samples for each breaker. */
interface Family {
  readonly name: string;
  readonly type: "gauge" | "counter";
  readonly help: string;
  /**
   * The lines of breaker `index` (each ending in a line feed), one string:
   * at 100,000 breakers, an array per breaker costs more than the text. `label` is `breaker="<name>"`.
   */
  readonly samples: (figures: BreakerFigures, index: number, label: string) => string;
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
      const [closed, open, halfOpen] = figures.states;
      return (
        `edgebreaker_state{${label},state="${closed}"} ${state === 0 ? 1 : 0}\n` +
        `edgebreaker_state{${label},state="${open}"} ${state === 1 ? 1 : 0}\n` +
        `edgebreaker_state{${label},state="${halfOpen}"} ${state === 2 ? 1 : 0}\n`
      );
    },
  },
  {
    name: "edgebreaker_calls_total",
    type: "counter",
    help:
      "Calls by outcome: success; failure (slow successes and timeouts included); ignored (isFailure said the error was not the upstream's fault); blocked (refused by the circuit).",
    samples: (figures, index, label) => {
      let lines = "";
      for (const [outcome, offset] of OUTCOMES) lines += `edgebreaker_calls_total{${label},outcome="${outcome}"} ${figure(figures, index, offset)}\n`;
      return lines;
    },
  },
  {
    name: "edgebreaker_slow_calls_total",
    type: "counter",
    help: "Successes that took at least slowCallMs (also counted as failures).",
    samples: (figures, index, label) => `edgebreaker_slow_calls_total{${label}} ${figure(figures, index, FIGURES.slowCalls)}\n`,
  },
  {
    name: "edgebreaker_calls_in_flight",
    type: "gauge",
    help: "Calls admitted and not yet settled.",
    samples: (figures, index, label) => `edgebreaker_calls_in_flight{${label}} ${figure(figures, index, FIGURES.inFlight)}\n`,
  },
  {
    name: "edgebreaker_window_failure_ratio",
    type: "gauge",
    help: "Failures over outcomes in the breaker's current window (0 when it is empty).",
    samples: (figures, index, label) => `edgebreaker_window_failure_ratio{${label}} ${figure(figures, index, FIGURES.failureRate)}\n`,
  },
  {
    name: "edgebreaker_retry_after_seconds",
    type: "gauge",
    help: "Seconds until the open circuit lets a probe through; 0 unless open; +Inf when forced open until reset().",
    samples: (figures, index, label) => {
      const ms = figure(figures, index, FIGURES.retryAfterMs);
      return `edgebreaker_retry_after_seconds{${label}} ${Number.isNaN(ms) ? "+Inf" : ms / 1_000}\n`;
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
  let text = "";
  for (const family of FAMILIES) {
    text += header(family);
    labels.forEach((label, index) => (text += family.samples(figures, index, label)));
  }
  text += header(TRANSITIONS);
  const { transitions, states, causes } = figures;
  for (let row = 0; row + 5 <= transitions.length; row += 5) {
    const [index, from, to, cause, count] = [0, 1, 2, 3, 4].map((column) => transitions[row + column]!);
    text += `${TRANSITIONS.name}{${labels[index!]},from="${states[from!]}",to="${states[to!]}",cause="${causes[cause!]}"} ${count}\n`;
  }
  return text;
}

function header(family: Omit<Family, "samples">): string {
  return `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}\n`;
}

/**
 * A label value as the exposition format quotes it: backslash, double quote
 * and line feed escaped. A lone surrogate, which UTF-8 cannot carry (each
 * would become U+FFFD, and two names one series), is written as the text
 * `\uXXXX` (its backslash escaped).
 */
function labelValue(value: string): string {
  return value
    .replace(/[\\"\n]/g, (character) => (character === "\n" ? "\\n" : `\\${character}`))
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, (lone) => `\\\\u${lone.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `breakers` as an array whose names are distinct (a non-iterable, or a string, is left to `circuitBreakerFigures` to refuse). */
function distinctlyNamed(breakers: Iterable<CircuitBreaker<unknown>>): Iterable<CircuitBreaker<unknown>> {
  if (typeof breakers === "string" || typeof (breakers as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function") return breakers;
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
