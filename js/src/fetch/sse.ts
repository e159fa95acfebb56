// Finds an error event in a Server-Sent Events stream that began with 200:
// how LLM APIs report a failure once the headers are gone.
//   OpenAI and compatibles (OpenRouter, vLLM): data: {"error": {...}}
//   Anthropic:                                 event: error

/** A line longer than this is not scanned (an error event is short); its bytes still pass through. */
const MAX_LINE_CHARS = 64 * 1024;

/** Scans a stream chunk by chunk without holding any of it back. */
export class SseErrorScanner {
  readonly #decoder = new TextDecoder();
  /** The unfinished last line of the chunks so far. */
  #partial = "";
  #overlong = false;

  /** Feeds the next chunk; true when it completes a line that is an error event. */
  scan(chunk: Uint8Array): boolean {
    const text = this.#decoder.decode(chunk, { stream: true });
    let found = false;
    let start = 0;
    for (let index = 0; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code !== 10 && code !== 13) continue; // SSE lines end in \n, \r or \r\n
      const line = this.#partial + text.slice(start, index);
      if (!this.#overlong && isErrorLine(line)) found = true;
      this.#partial = "";
      this.#overlong = false;
      start = index + 1;
    }
    if (start < text.length && !this.#overlong) {
      this.#partial += text.slice(start);
      if (this.#partial.length > MAX_LINE_CHARS) {
        this.#partial = "";
        this.#overlong = true;
      }
    }
    return found;
  }
}

function isErrorLine(line: string): boolean {
  if (line.startsWith("event:")) return line.slice(6).trim() === "error";
  if (!line.startsWith("data:") || !line.includes('"error"')) return false;
  return isErrorPayload(line.slice(5).trim());
}

/** `{"error": {...}}` or `{"error": "..."}` (an `"error": null` in a normal chunk is not one), or `{"type": "error"}`. */
function isErrorPayload(data: string): boolean {
  let payload: unknown;
  try {
    payload = JSON.parse(data);
  } catch {
    return false;
  }
  if (typeof payload !== "object" || payload === null) return false;
  const { error, type } = payload as { error?: unknown; type?: unknown };
  return (typeof error === "object" && error !== null) || typeof error === "string" || type === "error";
}
