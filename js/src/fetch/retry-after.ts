// HTTP Retry-After (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.

/** IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and the obsolete RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT"). */
const GMT_DATE = /^[A-Za-z]{3,9}, \d{2}[ -][A-Za-z]{3}[ -]\d{2}(?:\d{2})? \d{2}:\d{2}:\d{2} GMT$/;
/** The obsolete asctime form ("Sun Nov  6 08:49:37 1994"), which is GMT without saying so. */
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;
const DELAY_SECONDS = /^\d+$/;

/**
 * The milliseconds a Retry-After value asks for, counted from `nowMs` (wall
 * clock, ms since the epoch, since an HTTP-date is one). `null` when the value
 * is absent, unreadable, or asks for no wait at all (0, or a date now past):
 * such a response is then judged as an ordinary failure.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  let ms: number;
  if (DELAY_SECONDS.test(text)) {
    ms = Number(text) * 1000;
  } else if (GMT_DATE.test(text)) {
    ms = Date.parse(text) - nowMs;
  } else if (ASCTIME_DATE.test(text)) {
    ms = Date.parse(`${text} GMT`) - nowMs;
  } else {
    return null;
  }
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : null;
}
