// workerd's errors during the soak, counted. Miniflare prints each line
// workerd writes with console.log (stdout: a Worker's uncaught errors) or
// console.error (stderr: the runtime's own errors); over 200,000 requests the
// same few come back hundreds of times, so each distinct one is shown once, as
// it happens, and counted for the report.

const COLOURS = /\x1b\[[0-9;]*m/g;
/** On stdout, only a Worker's uncaught errors are errors; the soak's own lines pass as they are. */
const UNCAUGHT = /\bUncaught\b/;

/** Takes over console.log and console.error; `counts` maps each distinct error line to how often it came. */
export function countRuntimeErrors() {
  const counts = new Map();
  const counted = (original, isError) =>
    (...args) => {
      const line = args.map(String).join(" ").replace(COLOURS, "");
      if (!isError(line)) return original(...args);
      if (line.startsWith("stack: ")) return; // native return addresses, after each native error line
      // The same message from another request differs only in ports, line numbers and ids: count it as one.
      const key = line.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:<port>").replace(/\d{3,}/g, "<n>");
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      if (count === 1) original(...args);
    };
  console.log = counted(console.log.bind(console), (line) => UNCAUGHT.test(line));
  console.error = counted(console.error.bind(console), () => true);
  return { counts };
}
