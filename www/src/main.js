// The demo page: a simulated flaky service, traffic through a breaker running
// edgebreaker's wasm core, simulated time, and the views of it all.

// The browser entry compiles the wasm core asynchronously (a top-level await):
// when this import resolves, the core is ready.
import { CircuitBreaker, CircuitBreakerError, presets } from "edgebreaker";
import { SimClock } from "./sim-clock.js";
import { seededRandom } from "./random.js";
import { FlakyService } from "./flaky-service.js";
import { Traffic } from "./traffic.js";
import { BreakerHost } from "./breaker-host.js";
import { Timeline } from "./timeline.js";
import { Playback } from "./playback.js";
import { formatClock, formatDuration } from "./format.js";
import { StateDiagram } from "./views/state-diagram.js";
import { MetricsView } from "./views/metrics.js";
import { TimelineChart } from "./views/timeline-chart.js";
import { EventLog } from "./views/event-log.js";
import { OptionsForm } from "./views/options-form.js";
import { ProxyPanel } from "./views/proxy-panel.js";

const STEP_MS = 1000;
const byId = (id) => document.getElementById(id);
const coreStatus = byId("core-status");

new ProxyPanel(document, location).start();
start();

function start() {
  const seed = seedFrom(location) ?? crypto.getRandomValues(new Uint32Array(1))[0];
  byId("seed").textContent = String(seed);

  const clock = new SimClock();
  const service = new FlakyService(clock, seededRandom(seed));
  const timeline = new Timeline();
  const diagram = new StateDiagram(document);
  const metrics = new MetricsView(document);
  const chart = new TimelineChart(document);
  const log = new EventLog(document);

  const breakers = new BreakerHost({
    CircuitBreaker,
    clock,
    onStateChange(change) {
      timeline.enterState(change.to, change.at);
      diagram.transition(change);
      log.add(change);
    },
  });
  const traffic = new Traffic({
    clock,
    service,
    breakers,
    isBlocked: (error) => error instanceof CircuitBreakerError,
    record: (outcome, at) => timeline.record(outcome, at),
  });

  const options = new OptionsForm(document, presets, (chosen) => {
    const hadBreaker = breakers.current !== null;
    const breaker = breakers.rebuild(chosen);
    diagram.showConfig(breaker.getStatus().config);
    timeline.enterState("closed", clock.now);
    if (hadBreaker) log.note(clock.now, "options applied: a new breaker, closed, metrics from zero");
  });
  options.choose("llm");
  options.submit();

  const playback = new Playback(clock, (realNow) => {
    const status = breakers.current.getStatus();
    diagram.render(status, realNow);
    metrics.render(status);
    chart.render(timeline, clock.now, realNow);
    const shown = formatClock(clock.now);
    if (byId("sim-time").textContent !== shown) byId("sim-time").textContent = shown;
  });

  bindTimeControls(playback);
  if (new URLSearchParams(location.search).has("paused")) setPaused(playback, true);
  bindServiceControls(service, traffic);
  bindBreakerActions(breakers);

  for (const control of document.querySelectorAll("button, input, select")) control.disabled = false;
  coreStatus.dataset.state = "ready";
  coreStatus.textContent = "Running edgebreaker's wasm core";
  playback.start();

  // For tests and the curious: drive the simulation from the console.
  window.edgebreakerDemo = {
    seed,
    now: () => clock.now,
    status: () => breakers.current.getStatus(),
    /** Advances simulated time by `ms` now (pause first for exact control). */
    advance: (ms) => clock.advance(ms),
    setPaused: (paused) => setPaused(playback, paused),
  };
  document.documentElement.dataset.ready = "true";
}

function bindTimeControls(playback) {
  const speed = byId("speed");
  const showSpeed = () => {
    playback.speed = Number(speed.value);
    byId("speed-value").textContent = `${speed.value}×`;
  };
  speed.addEventListener("input", showSpeed);
  showSpeed();
  byId("play-pause").addEventListener("click", () => setPaused(playback, !playback.paused));
  byId("step").addEventListener("click", () => {
    playback.step(STEP_MS);
    setPaused(playback, true);
  });
}

function setPaused(playback, paused) {
  playback.paused = paused;
  const button = byId("play-pause");
  button.textContent = paused ? "Play" : "Pause";
  button.dataset.paused = String(paused);
  document.body.dataset.paused = String(paused);
}

function bindServiceControls(service, traffic) {
  const bind = (id, apply, show) => {
    const input = byId(id);
    const update = () => {
      const value = Number(input.value);
      apply(value);
      byId(`${id}-value`).textContent = show(value);
    };
    input.addEventListener("input", update);
    update();
  };
  bind("traffic-rate", (rate) => traffic.setRate(rate), (rate) => `${rate} call${rate === 1 ? "" : "s"}/s`);
  bind("failure-rate", (percent) => (service.failureRate = percent / 100), (percent) => `${percent} %`);
  bind("latency", (ms) => (service.latencyMs = ms), (ms) => formatDuration(ms));

  const outage = byId("outage");
  const showOutage = () => {
    service.outage = outage.checked;
    document.body.dataset.outage = String(outage.checked);
  };
  outage.addEventListener("change", showOutage);
  showOutage();
}

function bindBreakerActions(breakers) {
  byId("reset-breaker").addEventListener("click", () => breakers.current.reset());
  byId("force-open").addEventListener("click", () => breakers.current.forceOpen());
}

function seedFrom(location) {
  const seed = Number.parseInt(new URLSearchParams(location.search).get("seed") ?? "", 10);
  return Number.isSafeInteger(seed) && seed >= 0 ? seed : null;
}
