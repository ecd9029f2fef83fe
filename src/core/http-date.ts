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
  // RFC 9110 §5.5: optional whitespace around a field value is not part of it (fetch keeps it).
  const text = value.replace(OWS, '');
  if (/^\d+$/.test(text)) return secondsToMs(text);
  if (now === undefined || !Number.isFinite(now)) return undefined;
  const at = parseHttpDate(text, now);
  return at === undefined ? undefined : Math.max(0, at - now);
}

/**
 * Reads `RateLimit-Reset` / `X-RateLimit-Reset` (SPEC §2 rule 3): delta-seconds, or epoch seconds
 * when the number is larger than the current epoch in seconds (GitHub, Twitter style). Needs `now`
 * for the epoch form; without it a value that could be an epoch (>= 1e9) is ignored.
 *
 * @example
 * parseRateLimitReset('30', now)                      // 30000
 * parseRateLimitReset(String(now / 1000 + 60), now)   // 60000
 */
export function parseRateLimitReset(value: string | null | undefined, now?: number): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.replace(OWS, '');
  if (!/^\d+$/.test(text)) return undefined;
  const seconds = Number(text);
  const known = now !== undefined && Number.isFinite(now);
  if (known && seconds * 1_000 > now) return Math.max(0, Math.ceil(seconds * 1_000 - now));
  if (!known && seconds >= 1e9) return undefined;
  return secondsToMs(text);
}

/**
 * The server's own wait from a response's headers: `Retry-After`, else (on 429/503 only, SPEC §2
 * rule 3) `RateLimit-Reset`, then `X-RateLimit-Reset`. Which statuses honour it is classify's call.
 *
 * @example
 * serverWaitMs(429, response.headers, clock.now()) // 30000 for `RateLimit-Reset: 30`
 */
export function serverWaitMs(status: number, headers: { get(name: string): string | null }, now?: number): number | undefined {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== undefined || (status !== 429 && status !== 503)) return retryAfter;
  return parseRateLimitReset(headers.get('ratelimit-reset'), now) ?? parseRateLimitReset(headers.get('x-ratelimit-reset'), now);
}

const OWS = /^[ \t]+|[ \t]+$/g;

function secondsToMs(digits: string): number {
  const ms = Number(digits) * 1_000;
  return Number.isSafeInteger(ms) ? ms : Number.MAX_SAFE_INTEGER;
}

function parseHttpDate(value: string, now: number): number | undefined {
  let m = IMF.exec(value);
  if (m !== null) return utc(m[3], m[2], m[1], m[4], m[5], m[6]);
  m = RFC850.exec(value);
  if (m !== null) return utc(String(fullYear(Number(m[3]), now)), m[2], m[1], m[4], m[5], m[6]);
  m = ASCTIME.exec(value);
  if (m !== null) return utc(m[6], m[1], m[2], m[3], m[4], m[5]);
  return undefined;
}

// RFC 9110 §5.6.7: a two-digit year that looks more than 50 years in the future is in the past century.
function fullYear(yy: number, now: number): number {
  const current = new Date(now).getUTCFullYear();
  const year = current - (current % 100) + yy;
  return year > current + 50 ? year - 100 : year;
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
