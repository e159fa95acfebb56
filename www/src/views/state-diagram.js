// The state diagram: lights the current state, animates each transition along
// its edge, and writes the configured thresholds onto the edges.

import { formatDuration } from "../format.js";

const EDGE_FOR = {
  "closed>open": "edge-trip",
  "open>closed": "edge-reset",
  "open>half_open": "edge-wait",
  "half_open>open": "edge-reopen",
  "half_open>closed": "edge-close",
};
const TRAVEL_MS = 650;

export class StateDiagram {
  #svg;
  #dot;
  #announcement;
  #next = null;
  #playing = null;
  #shownState = null;
  #reducedMotion = matchMedia("(prefers-reduced-motion: reduce)");
  #document;

  constructor(document) {
    this.#svg = document.getElementById("state-diagram");
    // Narrow screens drop the edge labels (the list of rules below says the
    // same) and crop the margin they needed, so the states read larger.
    const narrow = matchMedia("(max-width: 640px)");
    const fit = () => this.#svg.setAttribute("viewBox", narrow.matches ? "0 0 440 300" : "-100 0 640 330");
    narrow.addEventListener("change", fit);
    fit();
    this.#dot = document.getElementById("transition-dot");
    this.#announcement = document.getElementById("state-announcement");
    this.#document = document;
  }

  /**
   * Animates one state change. The newest change wins: it cuts short the one
   * playing, so at 50x (several changes a frame) the highlighted edge is always
   * the last change's, never one the breaker has long left.
   */
  transition({ from, to }) {
    const edge = this.#document.getElementById(EDGE_FOR[`${from}>${to}`]);
    if (edge) this.#next = edge;
  }

  /** Draws the status at real time `nowMs` (performance.now). */
  render(status, nowMs) {
    this.#showState(status.state);
    this.#showDetails(status);
    this.#animate(nowMs);
  }

  /** Writes the thresholds of `config` on the edges and in the list of rules. */
  showConfig(config) {
    const byId = (id) => this.#document.getElementById(id);
    const rules = {
      trip: `${config.failureThreshold} failure${config.failureThreshold === 1 ? "" : "s"} in the last ${config.windowSize} calls`,
      wait: `after ${formatDuration(config.resetTimeoutMs)}`,
      close: `${config.successThreshold} probe${config.successThreshold === 1 ? "" : "s"} succeed${config.successThreshold === 1 ? "s" : ""}`,
    };
    for (const [rule, text] of Object.entries(rules)) {
      byId(`label-${rule}`).textContent = text;
      byId(`rule-${rule}`).textContent = text;
    }
  }

  #showState(state) {
    if (state === this.#shownState) return;
    this.#shownState = state;
    this.#svg.dataset.state = state;
    for (const node of this.#svg.querySelectorAll(".node")) {
      node.classList.toggle("is-current", node.dataset.state === state);
    }
    const label = `State diagram: the circuit is ${state.replace("_", "-")}`;
    this.#svg.querySelector("title").textContent = label;
    this.#announcement.textContent = `Circuit ${state.replace("_", "-")}`;
  }

  #showDetails(status) {
    const { metrics, config, retryAfterMs, state } = status;
    const byId = (id) => this.#document.getElementById(id);
    byId("detail-closed").textContent =
      state === "closed" ? `failure rate ${Math.round(metrics.failureRate * 100)} %` : "calls flow";
    byId("detail-open").textContent =
      state !== "open" ? "calls blocked" : retryAfterMs === null ? "forced open" : `probe in ${formatDuration(retryAfterMs)}`;
    byId("detail-half_open").textContent = `≤ ${config.halfOpenMaxCalls} probe${config.halfOpenMaxCalls === 1 ? "" : "s"} at a time`;
  }

  #animate(nowMs) {
    if (this.#next) {
      this.#playing?.edge.classList.remove("is-firing");
      this.#playing = { edge: this.#next, startedAt: nowMs };
      this.#playing.edge.classList.add("is-firing");
      this.#next = null;
    }
    if (!this.#playing) return;
    const { edge, startedAt } = this.#playing;
    const progress = Math.min(1, (nowMs - startedAt) / TRAVEL_MS);
    if (this.#reducedMotion.matches) {
      this.#dot.style.visibility = "hidden";
    } else {
      const point = edge.getPointAtLength(edge.getTotalLength() * easeInOut(progress));
      this.#dot.setAttribute("cx", point.x.toFixed(1));
      this.#dot.setAttribute("cy", point.y.toFixed(1));
      this.#dot.dataset.to = edge.dataset.to;
      this.#dot.style.visibility = "visible";
    }
    if (progress >= 1) {
      edge.classList.remove("is-firing");
      this.#dot.style.visibility = "hidden";
      this.#playing = null;
    }
  }
}

function easeInOut(t) {
  return t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
}
