// The metrics from getStatus(), as they come, plus the identity that must
// hold between them.

import { formatClock, formatCount, formatPercent } from "../format.js";

const PARTS = ["successfulCalls", "failedCalls", "blockedCalls", "ignoredCalls", "inFlight"];

export class MetricsView {
  #cells;
  #identity;
  #raw;
  #rawDetails;

  constructor(document) {
    this.#cells = new Map([...document.querySelectorAll("[data-metric]")].map((cell) => [cell.dataset.metric, cell]));
    this.#identity = document.getElementById("metrics-identity");
    this.#raw = document.getElementById("raw-status");
    this.#rawDetails = this.#raw.closest("details");
  }

  render(status) {
    const values = { state: status.state, retryAfterMs: status.retryAfterMs, ...status.metrics };
    for (const [name, cell] of this.#cells) {
      const value = values[name];
      const raw = JSON.stringify(value ?? null);
      if (cell.dataset.value === raw) continue;
      cell.dataset.value = raw;
      cell.textContent = display(name, value);
      // Open until reset: null, with why in a smaller note that keeps the tile one line tall.
      if (name === "retryAfterMs" && value === null) cell.append(note(cell.ownerDocument, "until reset()"));
      if (name === "state") cell.dataset.state = value;
    }
    const { metrics } = status;
    const sum = PARTS.reduce((total, part) => total + metrics[part], 0);
    const holds = sum === metrics.totalCalls;
    this.#identity.dataset.holds = String(holds);
    this.#identity.textContent = `totalCalls ${formatCount(metrics.totalCalls)} ${holds ? "=" : "≠"} ${PARTS.map((part) => formatCount(metrics[part])).join(" + ")}`;
    if (this.#rawDetails.open) this.#raw.textContent = JSON.stringify(status, null, 2);
  }
}

function display(name, value) {
  if (value === null || value === undefined) return "null";
  switch (name) {
    case "state":
      return value;
    case "retryAfterMs":
      return formatCount(value);
    case "failureRate":
    case "successRate":
      return formatPercent(value);
    case "lastFailureTime":
    case "lastSuccessTime":
      return `t = ${formatClock(value)}`;
    default:
      return formatCount(value);
  }
}

function note(document, text) {
  const span = document.createElement("span");
  span.className = "metric-note";
  span.textContent = text;
  return span;
}
