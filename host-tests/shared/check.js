// Assertions for code that runs inside any runtime (no node:assert in workerd
// or a browser page). Failures throw plain Errors whose message says what differed.

export function check(condition, what) {
  if (!condition) throw new Error(`${what}: not true`);
}

/** Deep, strict equality of plain data: same keys, same prototypes, Object.is on leaves. */
export function checkEqual(actual, expected, what) {
  const difference = differenceBetween(actual, expected, "");
  if (difference !== undefined) {
    throw new Error(`${what}: ${difference}\n  actual:   ${show(actual)}\n  expected: ${show(expected)}`);
  }
}

/** Resolves with the reason a promise rejects with; throws if it fulfils. */
export async function rejectionOf(promise) {
  let value;
  try {
    value = await promise;
  } catch (reason) {
    return reason;
  }
  throw new Error(`expected a rejection, got ${show(value)}`);
}

function differenceBetween(actual, expected, path) {
  if (Object.is(actual, expected)) return undefined;
  const isObject = (value) => typeof value === "object" && value !== null;
  if (!isObject(actual) || !isObject(expected)) return `at ${path || "top"}: ${show(actual)} is not ${show(expected)}`;
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) {
    return `at ${path || "top"}: prototypes differ`;
  }
  const actualKeys = Object.keys(actual);
  const expectedKeys = Object.keys(expected);
  const missing = expectedKeys.filter((key) => !Object.hasOwn(actual, key));
  const extra = actualKeys.filter((key) => !Object.hasOwn(expected, key));
  if (missing.length || extra.length) {
    return `at ${path || "top"}: missing keys [${missing}], extra keys [${extra}]`;
  }
  for (const key of expectedKeys) {
    const difference = differenceBetween(actual[key], expected[key], `${path}.${key}`);
    if (difference !== undefined) return difference;
  }
  return undefined;
}

function show(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
