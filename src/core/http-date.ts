/**
 * `Retry-After` parsing (pure): delta-seconds or an HTTP-date in any of its three forms
 * (RFC 9110 §10.2.3, §5.6.7). The time to compare a date with is passed in, never read.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
const IMF = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
// RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT"
const RFC850 = /^[A-Za-z]{6,9}, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
// asctime: "Sun Nov  6 08:49:37 1994"
const ASCTIME = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/**
 * Parses a `Retry-After` value into milliseconds to wait: delta-seconds (`"120"`) or an HTTP-date
 * in any of its three forms. A past date gives 0; junk gives `undefined`, never NaN or a negative.
 * An HTTP-date is resolved against `now` (epoch ms) and is ignored when `now` is not given, because
 * this pure function never reads the clock itself.
 *
 * @example
 * parseRetryAfter('120')                                         // 120000
 * parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', Date.UTC(1994, 10, 6, 8, 49, 7)) // 30000
 * parseRetryAfter('-5')                                          // undefined
 */
export function parseRetryAfter(value: string | null | undefined, now?: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value)) {
    const ms = Number(value) * 1_000;
    return Number.isSafeInteger(ms) ? ms : Number.MAX_SAFE_INTEGER;
  }
  if (now === undefined || !Number.isFinite(now)) return undefined;
  const at = parseHttpDate(value);
  return at === undefined ? undefined : Math.max(0, at - now);
}

function parseHttpDate(value: string): number | undefined {
  let m = IMF.exec(value);
  if (m !== null) return utc(m[3], m[2], m[1], m[4], m[5], m[6]);
  m = RFC850.exec(value);
  if (m !== null) {
    // Two-digit years: RFC 9110 says a year more than 50 years ahead means the previous century.
    const yy = Number(m[3]);
    return utc(String(yy < 70 ? 2000 + yy : 1900 + yy), m[2], m[1], m[4], m[5], m[6]);
  }
  m = ASCTIME.exec(value);
  if (m !== null) return utc(m[6], m[1], m[2], m[3], m[4], m[5]);
  return undefined;
}

function utc(...parts: Array<string | undefined>): number | undefined {
  const [year, mon, day, h, min, s] = parts;
  const month = MONTHS.indexOf(String(mon).toLowerCase());
  const nums = [year, day, h, min, s].map((p) => Number(String(p).trim()));
  if (month < 0 || nums.some((n) => !Number.isInteger(n))) return undefined;
  const [y, d, hh, mm, ss] = nums as [number, number, number, number, number];
  if (d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return undefined;
  return Date.UTC(y, month, d, hh, mm, ss);
}
