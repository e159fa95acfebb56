// The "statechange" events, newest first, with the simulated time each fell due
// and the cause the core gave it, with that cause's figures (the page guesses nothing).

import { formatClock, formatDuration } from "../format.js";

const MAX_ENTRIES = 200;

export class EventLog {
  #list;
  #empty;
  #document;

  constructor(document) {
    this.#document = document;
    this.#list = document.getElementById("event-log");
    this.#empty = document.getElementById("event-log-empty");
  }

  /** Adds a state change, as the breaker announced it. */
  add(change) {
    const { from, to, at, cause } = change;
    const item = this.#document.createElement("li");
    item.dataset.from = from;
    item.dataset.to = to;
    item.dataset.at = String(at);
    item.dataset.cause = cause;
    const figures = figuresOf(change);
    item.append(
      element(this.#document, "time", "log-time", formatClock(at)),
      element(this.#document, "span", `pill pill-${from}`, from),
      element(this.#document, "span", "log-arrow", "→"),
      element(this.#document, "span", `pill pill-${to}`, to),
      element(this.#document, "span", "log-cause", figures === "" ? cause : `${cause}: ${figures}`),
    );
    this.#list.prepend(item);
    if (this.#list.children.length > MAX_ENTRIES) this.#list.lastElementChild.remove();
    this.#empty.hidden = true;
  }

  /** A line that is not a state change (options applied), so the log explains a fresh breaker. */
  note(at, text) {
    const item = this.#document.createElement("li");
    item.className = "log-note";
    item.append(element(this.#document, "time", "log-time", formatClock(at)), element(this.#document, "span", "log-cause", text));
    this.#list.prepend(item);
    if (this.#list.children.length > MAX_ENTRIES) this.#list.lastElementChild.remove();
  }
}

function element(document, tag, className, text) {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

/** The figures a change carries, as they read: "3 of 10 calls failed, open 60 s". */
function figuresOf({ failures, calls, retryAfterMs, openForMs }) {
  const figures = [];
  if (failures !== undefined) figures.push(`${failures} of ${calls} calls failed`);
  if (retryAfterMs !== undefined) figures.push(`the upstream asked for Retry-After ${formatDuration(retryAfterMs)}`);
  if (openForMs !== undefined) figures.push(openForMs === null ? "open until reset()" : `open ${formatDuration(openForMs)}`);
  return figures.join(", ");
}
