/**
 * @internal What a message says the caller gave: a number or boolean as it
 * is, anything else by its kind ("a string", "an object"), so that a message
 * never repeats a string's contents (a key, a prompt) into a log.
 */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "number":
    case "boolean":
      return String(value);
    case "string":
      return value.length === 0 ? "an empty string" : "a string";
    case "undefined":
      return "undefined";
    case "object":
      return value === null ? "null" : Array.isArray(value) ? "an array" : "an object";
    default:
      return `a ${typeof value}`; // bigint, symbol, function
  }
}
