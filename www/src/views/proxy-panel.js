// The breakers of the local edge proxy, polled from its /status (the registry
// as JSON). The URL is `?proxy=<url>` when given, else the same-origin path
// `proxy/status`, which the demo server forwards to the proxy. The proxy runs
// on real time, so this panel polls on real time, not simulated time.
//
// When the proxy is a fleet of isolates (make demo), the demo server answers
// every isolate's status at once (`{ isolates: [...] }`): then each breaker
// shows the fleet's state and generation, and a row per isolate with its own
// breaker's state beside its view of the fleet and how long ago it synced.
//
// Below, a request to send the proxy, ready to paste: its route and a curl
// command, with the client token left as $PROXY_TOKEN (make demo prints it).

import { formatCount, formatDuration } from "../format.js";

const POLL_MS = 1000;
const RETRY_MS = 3000;
const TIMEOUT_MS = 2500;
const CHAT_ROUTE = "/v1/chat/completions";

export class ProxyPanel {
  #url;
  #message;
  #list;
  #document;
  #curl;
  #timer = null;

  constructor(document, location) {
    this.#document = document;
    this.#url = statusUrl(location);
    this.#message = document.getElementById("proxy-message");
    this.#list = document.getElementById("proxy-breakers");
    this.#curl = document.getElementById("proxy-curl");
    document.getElementById("proxy-url").textContent = this.#url;
    // Read directly, the status URL names the proxy; through the demo server, its answer does.
    this.#showRequest(new URLSearchParams(location.search).has("proxy") ? new URL(this.#url, location.href).origin : null);
  }

  start() {
    this.#poll();
  }

  async #poll() {
    let next = POLL_MS;
    try {
      const response = await fetch(this.#url, { cache: "no-store", signal: AbortSignal.timeout(TIMEOUT_MS) });
      const origin = response.headers.get("x-edge-proxy-origin");
      if (origin) this.#showRequest(origin);
      if (!response.ok) throw new Unreachable(await failureReason(response));
      let body;
      try {
        body = await response.json();
      } catch {
        throw new Unexpected("its answer is not JSON");
      }
      const isolates = isolatesIn(body);
      if (isolates) {
        this.#showFleet(isolates);
      } else {
        const breakers = breakersIn(body);
        if (!breakers) throw new Unexpected("its answer does not look like a breaker registry");
        this.#showBreakers(breakers);
      }
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
        ? "The proxy is running, with no breakers yet: send it a request (below)."
        : `The proxy is running: ${count} breaker${count === 1 ? "" : "s"}, updated ${new Date().toLocaleTimeString("en-GB")}.`,
    );
    const document = this.#document;
    delete this.#list.dataset.view;
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
        `${formatCount(metrics.totalCalls ?? 0)} call${metrics.totalCalls === 1 ? "" : "s"}`,
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

  /** The curl command for a chat completion through the proxy at `origin` (a placeholder until it is known). */
  #showRequest(origin) {
    const text =
      `curl -s ${origin ?? "<proxy origin>"}${CHAT_ROUTE} -H "authorization: Bearer $PROXY_TOKEN" ` +
      `-d '{"model":"fake-model","messages":[{"role":"user","content":"hi"}]}'`;
    if (this.#curl.textContent !== text) this.#curl.textContent = text;
  }

  #showFleet(isolates) {
    const answering = isolates.filter((isolate) => isolate.breakers);
    if (answering.length === 0) {
      throw new Unreachable(`none of its ${isolates.length} isolates answered (${isolates.map(({ name, error }) => `${name}: ${error}`).join(", ")})`);
    }
    const names = [...new Set(answering.flatMap(({ breakers }) => breakers.map((status) => status.name)))];
    const count = names.length;
    const fleet = `${isolates.length} isolate${isolates.length === 1 ? "" : "s"}`;
    this.#setMessage(
      "live",
      count === 0
        ? `The proxy is running (${fleet}), with no breakers yet: send it a request (below).`
        : `The proxy is running: ${fleet}, ${count} breaker${count === 1 ? "" : "s"}, updated ${new Date().toLocaleTimeString("en-GB")}.`,
    );
    this.#list.dataset.view = "fleet";
    this.#list.replaceChildren(...names.map((name) => this.#fleetBreaker(name, isolates)));
  }

  /** One breaker of a fleet: the fleet's state and generation, then a row per isolate. */
  #fleetBreaker(name, isolates) {
    const document = this.#document;
    const rows = isolates.map((isolate) => ({ isolate, status: isolate.breakers?.find((status) => status.name === name) }));
    // The fleet as the isolate that merged the newest generation sees it (generations never go back).
    const views = rows.map(({ status }) => status?.fleet).filter((view) => typeof view?.generation === "number");
    const newest = views.reduce((best, view) => (best && best.generation >= view.generation ? best : view), null);
    const item = document.createElement("li");
    item.className = "proxy-breaker proxy-fleet";
    item.dataset.name = name;
    item.dataset.state = newest?.state ?? "none";
    item.dataset.generation = newest ? String(newest.generation) : "";
    const head = document.createElement("div");
    head.className = "proxy-breaker-head";
    const title = document.createElement("span");
    title.className = "proxy-breaker-name";
    title.textContent = name;
    const state = document.createElement("span");
    state.className = `pill pill-${newest?.state ?? "none"}`;
    state.textContent = newest ? `fleet ${newest.state}` : "no fleet";
    head.append(title, state);
    const facts = document.createElement("p");
    facts.className = "proxy-breaker-facts";
    const knowing = views.filter((view) => view.generation === newest?.generation).length;
    facts.textContent = newest
      ? `generation ${newest.generation} · ${knowing} of ${isolates.length} isolates have it`
      : "no isolate has synced with a fleet coordinator: each keeps its own breaker";
    item.append(head, facts, this.#isolateTable(name, rows));
    return item;
  }

  #isolateTable(name, rows) {
    const document = this.#document;
    const cell = (tag, text, attributes = {}) => {
      const element = document.createElement(tag);
      element.textContent = text;
      for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
      return element;
    };
    const table = document.createElement("table");
    table.className = "proxy-isolates";
    table.append(cell("caption", `Each isolate's breaker ${name} beside its view of the fleet`, { class: "visually-hidden" }));
    const headRow = document.createElement("tr");
    for (const heading of ["Isolate", "Its breaker", "Its view of the fleet", "Synced", "Calls"]) headRow.append(cell("th", heading, { scope: "col" }));
    table.createTHead().append(headRow);
    const body = table.createTBody();
    for (const { isolate, status } of rows) {
      const row = body.insertRow();
      row.dataset.isolate = isolate.name;
      row.append(cell("th", isolate.name, { scope: "row" }));
      if (!status) {
        row.dataset.state = "none";
        row.append(cell("td", isolate.error ? `not answering (${isolate.error})` : "no calls yet", { colspan: "4" }));
        continue;
      }
      row.dataset.state = status.state;
      const view = status.fleet;
      row.dataset.fleetState = view?.state ?? "none";
      const local = cell("td", "");
      local.append(cell("span", status.state, { class: `pill pill-${status.state}` }));
      const metrics = status.metrics ?? {};
      row.append(
        local,
        cell("td", view?.state ? `${view.state} · generation ${view.generation}` : view ? "not synced yet" : "no fleet"),
        cell("td", syncText(view)),
        cell("td", `${formatCount(metrics.successfulCalls ?? 0)} ok · ${formatCount(metrics.failedCalls ?? 0)} failed · ${formatCount(metrics.blockedCalls ?? 0)} blocked`),
      );
    }
    return table;
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

/** When an isolate last synced, and whether its syncs are failing. */
function syncText(view) {
  if (!view) return "–";
  const ago = typeof view.lastSyncAgoMs === "number" ? `${formatDuration(view.lastSyncAgoMs)} ago` : "never";
  if (view.backoffMs > 0) return `${ago}; failing (${view.lastError ?? "no answer"}), next try in ${formatDuration(view.backoffMs)}`;
  return ago;
}

/**
 * The demo server's answer for a fleet, `{ isolates: [{ name, url, breakers } or { name, url, error }] }`,
 * with each isolate's breakers as a list; null when it is not one.
 */
function isolatesIn(body) {
  if (!body || typeof body !== "object" || !Array.isArray(body.isolates)) return null;
  const isolates = body.isolates.map((isolate) => {
    if (!isolate || typeof isolate.name !== "string") return null;
    if (typeof isolate.error === "string") return { name: isolate.name, error: isolate.error };
    const breakers = breakersIn(isolate.breakers);
    return breakers && { name: isolate.name, breakers };
  });
  return isolates.every(Boolean) ? isolates : null;
}

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
