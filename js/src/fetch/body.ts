// A response body passed through untouched and unbuffered, watched on the way:
// the call's outcome is known only when a streamed body ends (success), errors
// or stalls (failure), carries an SSE error event or ends without its end
// marker (failure) or is cancelled by its reader (ignored).

import { sseScannerFor, type StreamEndRule } from "./sse.js";

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

export function guardBody(response: Response, watcher: BodyWatcher, streamEnd: StreamEndRule): Response {
  const source = (response.body as ReadableStream<Uint8Array>).getReader();
  const scanner = sseScannerFor(response, streamEnd);
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
          if (scanner?.finish()) watcher.errorEvent(); // an error on the last line, or cut short before the end marker
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
