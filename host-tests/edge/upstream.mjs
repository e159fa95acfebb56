// Test helpers around the fake upstream (../fake-upstream).

/** Resolves once `condition()` holds, checking every 10 ms; rejects after `timeoutMs` with `what`. */
export async function waitFor(what, condition, timeoutMs = 3000) {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A chat-completions request body. */
export function chatBody({ stream = false, content = "hello" } = {}) {
  return JSON.stringify({ model: "fake-model", messages: [{ role: "user", content }], stream });
}
