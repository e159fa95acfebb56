// The rolling chart: stacked bars of successes, failures and blocked calls per
// bucket, over bands that show when the circuit was open or half-open.

import { BUCKET_MS, SPAN_MS } from "../timeline.js";
import { formatCount } from "../format.js";

const SUMMARY_EVERY_MS = 1000;
/** The scale's numbers get a margin of their own (CSS px), so no bar is ever drawn under them. */
const GUTTER_PX = 36;

export class TimelineChart {
  #canvas;
  #context;
  #colors;
  #legend;
  #summarisedAt = -Infinity;

  constructor(document) {
    this.#canvas = document.getElementById("chart");
    this.#context = this.#canvas.getContext("2d");
    const style = getComputedStyle(document.documentElement);
    const color = (name) => style.getPropertyValue(name).trim();
    this.#colors = {
      success: color("--success"),
      failure: color("--failure"),
      blocked: color("--blocked"),
      open: color("--open-band"),
      half_open: color("--half-open-band"),
      grid: color("--grid"),
      text: color("--muted"),
    };
    this.#legend = {
      success: document.getElementById("legend-success"),
      failure: document.getElementById("legend-failure"),
      blocked: document.getElementById("legend-blocked"),
    };
  }

  /** Draws the timeline at simulated time `now`; `realNow` paces the text summary. */
  render(timeline, now, realNow) {
    const { width, height } = this.#fit();
    const context = this.#context;
    context.clearRect(0, 0, width, height);
    const start = now - SPAN_MS;
    const pixel = devicePixelRatio;
    const gutter = GUTTER_PX * pixel;
    const plotWidth = width - gutter;
    const x = (time) => gutter + ((time - start) / SPAN_MS) * plotWidth;

    for (let index = 0; index < timeline.states.length; index++) {
      const { at, state } = timeline.states[index];
      const until = timeline.states[index + 1]?.at ?? now;
      if (state === "closed" || until < start) continue;
      context.fillStyle = this.#colors[state];
      context.fillRect(x(Math.max(at, start)), 0, x(until) - x(Math.max(at, start)), height);
    }

    const top = 14 * devicePixelRatio;
    const plotHeight = height - top;
    let peak = 4;
    for (const [index, bucket] of timeline.buckets) {
      if ((index + 1) * BUCKET_MS > start) peak = Math.max(peak, bucket.success + bucket.failure + bucket.blocked);
    }
    const scale = niceCeiling(peak);
    const y = (count) => height - (count / scale) * plotHeight;

    const gridLines = [0.5, 1].map((fraction) => ({ y: Math.round(y(scale * fraction)) + 0.5, label: formatCount(scale * fraction) }));
    context.strokeStyle = this.#colors.grid;
    context.lineWidth = 1;
    for (const line of gridLines) {
      context.beginPath();
      context.moveTo(gutter, line.y);
      context.lineTo(width, line.y);
      context.stroke();
    }

    const barWidth = Math.max(1, (BUCKET_MS / SPAN_MS) * plotWidth - Math.max(1, pixel));
    for (const [index, bucket] of timeline.buckets) {
      const left = x(index * BUCKET_MS);
      if (left < gutter) continue; // a bucket partly older than the span: its bar would reach into the gutter
      let base = 0;
      for (const outcome of ["success", "failure", "blocked"]) {
        const count = bucket[outcome];
        if (count === 0) continue;
        context.fillStyle = this.#colors[outcome];
        context.fillRect(left, y(base + count), barWidth, y(base) - y(base + count));
        base += count;
      }
    }

    // The scale's numbers, right-aligned in the gutter beside their lines (the unit is in the panel's title).
    context.font = `${11 * pixel}px system-ui, sans-serif`;
    context.textBaseline = "middle";
    context.textAlign = "right";
    context.fillStyle = this.#colors.text;
    for (const line of gridLines) context.fillText(line.label, gutter - 6 * pixel, line.y);

    const totals = timeline.totals(now);
    for (const outcome of ["success", "failure", "blocked"]) {
      const text = formatCount(totals[outcome]);
      if (this.#legend[outcome].textContent !== text) this.#legend[outcome].textContent = text;
    }
    if (realNow - this.#summarisedAt >= SUMMARY_EVERY_MS) {
      this.#summarisedAt = realNow;
      this.#canvas.setAttribute(
        "aria-label",
        `Calls over the last 3 simulated minutes: ${totals.success} successes, ${totals.failure} failures, ${totals.blocked} blocked`,
      );
    }
  }

  /** Matches the canvas's pixels to its size on screen. */
  #fit() {
    const canvas = this.#canvas;
    const width = Math.round(canvas.clientWidth * devicePixelRatio);
    const height = Math.round(canvas.clientHeight * devicePixelRatio);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    return { width, height };
  }
}

/** A whole, even scale with a little headroom above the tallest bar, so the half-way line is whole too. */
function niceCeiling(value) {
  if (value <= 20) return Math.max(4, 2 * Math.ceil((value * 1.1) / 2));
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [2, 3, 4, 5, 6, 8, 10].map((step) => step * magnitude).find((candidate) => candidate >= value * 1.05);
}
