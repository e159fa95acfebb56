// workerd's error log during the soak, counted. Miniflare prints each line
// workerd writes to stderr with console.error; over 200,000 requests the same
// few lines come back hundreds of times, so each distinct one is shown once,
// as it happens, and counted for the report.

const COLOURS = /\x1b\[[0-9;]*m/g;

/** Takes over console.error until `restore()`; `counts` maps each distinct line to how often it came. */
export function countRuntimeErrors() {
  const original = console.error;
  const counts = new Map();
  console.error = (...args) => {
    const line = args.map(String).join(" ").replace(COLOURS, "");
    if (line.startsWith("stack: ")) return; // native return addresses, after each native error line
    // The same message from another request differs only in ports and ids: count it as one.
    const key = line.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>").replace(/\d{3,}/g, "<n>");
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count === 1) original(...args);
  };
  return {
    counts,
    restore() {
      console.error = original;
    },
  };
}
