// The breakers of the local edge proxy, polled from its /status (the registry
// as JSON). The URL is `?proxy=<url>` when given, else the same-origin path
// `proxy/status`, which the demo server forwards to the proxy. The proxy runs
// on real time, so this panel polls on real time, not simulated time.

import { formatCount, formatDuration } from "../format.js";

const POLL_MS = 1000;
const RETRY_MS = 3000;
const TIMEOUT_MS = 2500;

export class ProxyPanel {
  #url;
  #message;
  #list;
  #document;
  #timer = null;

  constructor(document, location) {
    this.#document = document;
    this.#url = statusUrl(location);
    this.#message = document.getElementById("proxy-message");
    this.#list = document.getElementById("proxy-breakers");
    document.getElementById("proxy-url").textContent = this.#url;
  }

  start() {
    this.#poll();
  }

  async #poll() {
    let next = POLL_MS;
    try {
      const response = await fetch(this.#url, { cache: "no-store", signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!response.ok) throw new Unreachable(await failureReason(response));
      let body;
      try {
        body = await response.json();
      } catch {
        throw new Unexpected("its answer is not JSON");
      }
      const breakers = breakersIn(body);
      if (!breakers) throw new Unexpected("its answer does not look like a breaker registry");
      this.#showBreakers(breakers);
    } catch (error) {
      next = RETRY_MS;
      this.#showProblem(error);
    }
    this.#timer = setTimeout(() => this.#poll(), next);
  }

  #showBreakers(breakers) {
    const count = breakers.length;
    this.#setMessage(
      "live",
      count === 0
        ? "The proxy is running, with no breakers yet: send it a request."
        : `The proxy is running: ${count} breaker${count === 1 ? "" : "s"}, updated ${new Date().toLocaleTimeString("en-GB")}.`,
    );
    const document = this.#document;
    const items = breakers.map((status) => {
      const item = document.createElement("li");
      item.className = "proxy-breaker";
      item.dataset.state = status.state;
      item.dataset.name = status.name;
      const head = document.createElement("div");
      head.className = "proxy-breaker-head";
      const name = document.createElement("span");
      name.className = "proxy-breaker-name";
      name.textContent = status.name;
      const state = document.createElement("span");
      state.className = `pill pill-${status.state}`;
      state.textContent = status.state;
      head.append(name, state);
      const metrics = status.metrics ?? {};
      const facts = document.createElement("p");
      facts.className = "proxy-breaker-facts";
      facts.textContent = [
        `${formatCount(metrics.totalCalls ?? 0)} calls`,
        `${formatCount(metrics.successfulCalls ?? 0)} ok`,
        `${formatCount(metrics.failedCalls ?? 0)} failed`,
        `${formatCount(metrics.blockedCalls ?? 0)} blocked`,
        status.state === "open" && typeof status.retryAfterMs === "number" ? `probe in ${formatDuration(status.retryAfterMs)}` : null,
      ]
        .filter(Boolean)
        .join(" · ");
      item.append(head, facts);
      return item;
    });
    this.#list.replaceChildren(...items);
  }

  #showProblem(error) {
    this.#list.replaceChildren();
    if (error instanceof Unexpected) {
      this.#setMessage("error", `Something answered at ${this.#url}, but ${error.message}.`);
      return;
    }
    const why =
      error instanceof Unreachable
        ? error.message
        : error?.name === "TimeoutError"
          ? `no answer from ${this.#url} in time`
          : `nothing answered at ${this.#url}`;
    this.#setMessage("down", `The local edge proxy is not running: ${why}. Start it with make demo; this panel connects by itself once it answers.`);
  }

  #setMessage(state, text) {
    this.#message.dataset.state = state;
    if (this.#message.textContent !== text) this.#message.textContent = text;
  }
}

class Unreachable extends Error {}

/** Why a status request failed: the demo server's forwarding error when it gives one. */
async function failureReason(response) {
  try {
    const { error, target } = await response.json();
    if (typeof error === "string" && typeof target === "string") return `nothing answered at ${target} (${error})`;
  } catch {
    // Not the demo server's JSON: the status code is all there is.
  }
  return `${response.url} answered HTTP ${response.status}`;
}

class Unexpected extends Error {}

function statusUrl(location) {
  const fromQuery = new URLSearchParams(location.search).get("proxy");
  return fromQuery || "proxy/status";
}

/**
 * The registry as a list of statuses: `{ [name]: status }` (listCircuitBreakers()),
 * `{ breakers: ... }`, or an array. Null when it is none of these.
 */
function breakersIn(body) {
  const registry = body && typeof body === "object" && "breakers" in body ? body.breakers : body;
  if (!registry || typeof registry !== "object") return null;
  const entries = Array.isArray(registry) ? registry.map((status) => [status?.name, status]) : Object.entries(registry);
  const statuses = entries
    .filter(([, status]) => status && typeof status === "object" && typeof status.state === "string")
    .map(([name, status]) => ({ ...status, name: status.name ?? name }));
  return statuses.length === entries.length ? statuses : null;
}
