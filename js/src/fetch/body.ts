// A response body passed through untouched and unbuffered, watched on the way:
// the call's outcome is known only when a streamed body ends (success), errors
// or stalls (failure), carries an SSE error event (failure) or is cancelled by
// its reader (ignored).

import { SseErrorScanner } from "./sse.js";

/** What the body reports to its call (call.ts). */
export interface BodyWatcher {
  /** The next chunk, under the idle timeout. */
  read(body: ReadableStreamDefaultReader<Uint8Array>): Promise<ReadableStreamReadResult<Uint8Array>>;
  /** Set once a timeout has fired: the body fails with it, whatever the read said. */
  readonly timedOut: unknown;
  ended(): void;
  /** Settles for a read that threw; returns the error the reader should see. */
  failed(error: unknown): unknown;
  errorEvent(): void;
  cancelled(): void;
}

export function guardBody(response: Response, watcher: BodyWatcher): Response {
  const source = (response.body as ReadableStream<Uint8Array>).getReader();
  const contentType = response.headers.get("content-type") ?? "";
  const scanner = contentType.toLowerCase().startsWith("text/event-stream") ? new SseErrorScanner() : undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await watcher.read(source);
        } catch (error) {
          controller.error(watcher.failed(error));
          return;
        }
        if (watcher.timedOut !== undefined) {
          controller.error(watcher.timedOut);
        } else if (result.done) {
          watcher.ended();
          controller.close();
        } else {
          if (scanner?.scan(result.value)) watcher.errorEvent();
          controller.enqueue(result.value);
        }
      },
      cancel(reason) {
        watcher.cancelled();
        return source.cancel(reason);
      },
    },
    // Read from upstream only when our reader asks: nothing is held back, nothing read ahead.
    { highWaterMark: 0 },
  );
  const guarded = new Response(body, response);
  if (response.url) Object.defineProperty(guarded, "url", { value: response.url });
  return guarded;
}
