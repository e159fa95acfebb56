// The "statechange" events, newest first, with the simulated time each fell due
// and what caused it.

import { formatClock } from "../format.js";

const MAX_ENTRIES = 200;
const CAUSES = {
  "closed>open": "failures reached the threshold",
  "open>half_open": "reset timeout elapsed: probing",
  "half_open>closed": "probes succeeded",
  "half_open>open": "a probe failed",
  "open>closed": "reset()",
};

export class EventLog {
  #list;
  #empty;
  #document;

  constructor(document) {
    this.#document = document;
    this.#list = document.getElementById("event-log");
    this.#empty = document.getElementById("event-log-empty");
  }

  /** Adds a state change; `cause` overrides the usual reason (e.g. "reset()" pressed by the user). */
  add({ from, to, at }, cause) {
    const item = this.#document.createElement("li");
    item.dataset.from = from;
    item.dataset.to = to;
    item.dataset.at = String(at);
    item.append(
      element(this.#document, "time", "log-time", formatClock(at)),
      element(this.#document, "span", `pill pill-${from}`, from),
      element(this.#document, "span", "log-arrow", "→"),
      element(this.#document, "span", `pill pill-${to}`, to),
      element(this.#document, "span", "log-cause", cause ?? CAUSES[`${from}>${to}`] ?? ""),
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
