// The coordinator Worker of the fleet tests: the package's FleetCoordinator,
// as a test-only subclass that can be told to fail (throw, hang, answer
// garbage) and to reset itself (ctx.abort: memory lost, storage kept).
import { FleetCoordinator } from "edgebreaker/cloudflare";

const HANG_MS = 10_000;

export class TestFleetCoordinator extends FleetCoordinator {
  #mode = "normal";

  /** "normal", "throw", "hang" (answers after 10 s) or "garbage". */
  setMode(mode) {
    this.#mode = mode;
  }

  /** Resets the object: the next call gets a new instance, which reads the stored state. */
  reset() {
    this.ctx.abort("reset by the fleet tests");
  }

  sync(...args) {
    return this.#as(() => super.sync(...args));
  }

  lease(...args) {
    return this.#as(() => super.lease(...args));
  }

  settle(...args) {
    return this.#as(() => super.settle(...args));
  }

  #as(answer) {
    switch (this.#mode) {
      case "throw":
        throw new Error("the coordinator is down");
      case "hang":
        return new Promise((resolve) => setTimeout(resolve, HANG_MS)).then(answer);
      case "garbage":
        return "<html><body>502 Bad Gateway</body></html>";
      default:
        return answer();
    }
  }
}

export default {
  fetch() {
    return new Response("the fleet coordinator answers RPC only", { status: 404 });
  },
};
