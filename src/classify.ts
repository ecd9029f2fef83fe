/**
 * Transient-vs-permanent classification (pure). Rules follow SPEC §2, first match wins.
 */
import { isAbortError, isBrokenCircuit, isObject, isTimeoutError } from './errors.js';

/** What kind of failure an error is, and why. */
export interface Verdict {
  /** `transient`: worth retrying; `permanent`: retrying can't help; `aborted`: the caller cancelled. */
  kind: 'transient' | 'permanent' | 'aborted';
  /** A short human reason, e.g. `"connection refused"`, `"HTTP 503"`. */
  reason: string;
  status?: number;
  code?: string;
  /** How long the server (or an open breaker) asked us to wait, in ms. */
  retryAfterMs?: number;
}

type Kind = 'transient' | 'permanent';

/** Additions and overrides to the default rules. */
export interface ClassifyOptions {
  /** Verdict for errors no rule matches. @default 'transient' */
  unknown?: Kind;
  /** Per-status overrides, e.g. `{ 404: 'transient' }` for a server that 404s while starting. */
  statuses?: Readonly<Record<number, Kind>>;
  /** Per-code overrides or additions, e.g. `{ ESOCKETTIMEDOUT: 'transient' }`. */
  codes?: Readonly<Record<string, Kind>>;
  /** Extra message patterns, checked before the defaults (permanent first). */
  patterns?: { transient?: ReadonlyArray<string | RegExp>; permanent?: ReadonlyArray<string | RegExp> };
  /** Epoch ms used to resolve an HTTP-date `Retry-After` (the retry loop passes its clock's time). */
  now?: number;
}

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'broken pipe',
  EHOSTUNREACH: 'host unreachable',
  EHOSTDOWN: 'host down',
  ENETUNREACH: 'network unreachable',
  ENETDOWN: 'network down',
  EAI_AGAIN: 'DNS lookup failed',
  ENOTFOUND: 'host not found',
  UND_ERR_SOCKET: 'socket closed',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'response headers timed out',
  UND_ERR_BODY_TIMEOUT: 'response body timed out',
  UND_ERR_CLOSED: 'client closed',
};

/** Codes that prove a request never reached the server, so even a POST may be retried. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

const TLS_CODES = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);
const BROWSER_NETWORK_MESSAGES = new Set([
  'failed to fetch',
  'networkerror when attempting to fetch resource.',
  'network request failed',
  'load failed',
]);
const PROGRAMMER_ERRORS = new Set(['TypeError', 'RangeError', 'SyntaxError', 'ReferenceError']);
const PERMANENT_WORDS = ['validation', 'invalid', 'unauthorized', 'forbidden', 'bad request', 'malformed', 'missing required', 'not found'];
const TRANSIENT_WORDS = ['connection', 'timeout', 'timed out', 'unavailable', 'temporar', 'network', 'refused', 'unreachable', 'no route', 'reset', 'broken pipe', 'node offline', 'node not found'];
const MAX_DEPTH = 5;

/**
 * Whether an HTTP status is worth retrying by default: 408, 425, 429 and every 5xx but 501 and 505.
 *
 * @example
 * isTransientStatus(503) // true
 * isTransientStatus(501) // false
 */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/**
 * Decides whether an error is worth retrying.
 *
 * @example
 * classify(new HttpError(503))                        // { kind: 'transient', reason: 'HTTP 503', status: 503 }
 * classify(new Error('validation failed: name'))     // { kind: 'permanent', reason: 'message matches "validation"' }
 * classify(new Error('weird'), { unknown: 'permanent' }) // { kind: 'permanent', reason: 'unclassified' }
 */
export function classify(error: unknown, o: ClassifyOptions = {}): Verdict {
  if (isAbortError(error)) return { kind: 'aborted', reason: 'aborted' };
  if (isTimeoutError(error)) return { kind: 'transient', reason: 'timed out', code: 'TimeoutError' };
  if (isBrokenCircuit(error)) return { kind: 'transient', reason: 'circuit open', retryAfterMs: error.retryAfterMs };
  if (!isObject(error)) return byMessage(String(error), o) ?? unclassified(o);

  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status <= 599) {
    const kind = o.statuses?.[status] ?? (isTransientStatus(status) ? 'transient' : 'permanent');
    const verdict: Verdict = { kind, reason: `HTTP ${status}`, status };
    if (status === 429 || status === 503) {
      const wait = retryAfterOf(error, o.now);
      if (wait !== undefined) verdict.retryAfterMs = wait;
    }
    return verdict;
  }
  if (status !== undefined && o.statuses?.[status] !== undefined) {
    return { kind: o.statuses[status], reason: `HTTP ${status}`, status };
  }

  const byCode = codeVerdict(error, o);
  if (byCode !== undefined) return byCode;

  const message = typeof error['message'] === 'string' ? error['message'] : '';
  const name = typeof error['name'] === 'string' ? error['name'] : '';
  if (name === 'TypeError' && message === 'fetch failed') return { kind: 'transient', reason: 'network error' };
  if (BROWSER_NETWORK_MESSAGES.has(message.toLowerCase())) return { kind: 'transient', reason: 'network error' };
  if (PROGRAMMER_ERRORS.has(name)) return { kind: 'permanent', reason: `programmer error (${name})` };

  for (let current: unknown = error, depth = 0; depth <= MAX_DEPTH && isObject(current); depth++, current = current['cause']) {
    const text = current['message'];
    const verdict = typeof text === 'string' ? byMessage(text, o) : undefined;
    if (verdict !== undefined) return verdict;
  }
  return unclassified(o);
}

/**
 * `classify(error).kind === 'transient'`: whether retrying could help.
 *
 * @example
 * isTransient(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })) // true
 */
export function isTransient(error: unknown): boolean {
  return classify(error).kind === 'transient';
}

function unclassified(o: ClassifyOptions): Verdict {
  return { kind: o.unknown ?? 'transient', reason: 'unclassified' };
}

function statusOf(error: Record<string, unknown>): number | undefined {
  const direct = error['status'] ?? error['statusCode'];
  if (typeof direct === 'number') return direct;
  // ky's HTTPError and axios errors carry the status on their response.
  const response = error['response'];
  if (isObject(response) && typeof response['status'] === 'number') return response['status'];
  return undefined;
}

function retryAfterOf(error: Record<string, unknown>, now: number | undefined): number | undefined {
  if (typeof error['retryAfterMs'] === 'number') return error['retryAfterMs'];
  const response = error['response'];
  if (!isObject(response)) return undefined;
  const headers = response['headers'];
  if (isObject(headers) && typeof headers['get'] === 'function') {
    return parseRetryAfter((headers['get'] as (n: string) => string | null).call(headers, 'retry-after'), now);
  }
  if (isObject(headers) && typeof headers['retry-after'] === 'string') return parseRetryAfter(headers['retry-after'], now);
  return undefined;
}

function codeVerdict(error: Record<string, unknown>, o: ClassifyOptions): Verdict | undefined {
  for (let current: unknown = error, depth = 0; depth <= MAX_DEPTH && isObject(current); depth++, current = current['cause']) {
    const found = codeAt(current, o) ?? firstNested(current, o);
    if (found !== undefined) return found;
  }
  return undefined;
}

// Happy-eyeballs connects fail with an AggregateError whose members carry the codes.
function firstNested(error: Record<string, unknown>, o: ClassifyOptions): Verdict | undefined {
  const errors = error['errors'];
  if (!Array.isArray(errors)) return undefined;
  for (const inner of errors) {
    const found = isObject(inner) ? codeAt(inner, o) : undefined;
    if (found !== undefined) return found;
  }
  return undefined;
}

function codeAt(error: Record<string, unknown>, o: ClassifyOptions): Verdict | undefined {
  const code = error['code'];
  if (typeof code !== 'string') return undefined;
  const override = o.codes?.[code];
  if (override !== undefined) return { kind: override, reason: NETWORK_CODES[code] ?? code, code };
  const reason = NETWORK_CODES[code];
  if (reason !== undefined) return { kind: 'transient', reason, code };
  if (code.startsWith('CERT_') || TLS_CODES.has(code)) return { kind: 'permanent', reason: `TLS certificate rejected (${code})`, code };
  return undefined;
}

function byMessage(message: string, o: ClassifyOptions): Verdict | undefined {
  const text = message.toLowerCase();
  const custom = o.patterns;
  if (custom !== undefined) {
    const p = matchAny(text, message, custom.permanent);
    if (p !== undefined) return { kind: 'permanent', reason: `message matches ${p}` };
    const t = matchAny(text, message, custom.transient);
    if (t !== undefined) return { kind: 'transient', reason: `message matches ${t}` };
  }
  // "node not found" means a cluster member is briefly gone, not a missing resource.
  if (text.includes('node not found')) return { kind: 'transient', reason: 'message matches "node not found"' };
  for (const word of PERMANENT_WORDS) if (text.includes(word)) return { kind: 'permanent', reason: `message matches "${word}"` };
  for (const word of TRANSIENT_WORDS) if (text.includes(word)) return { kind: 'transient', reason: `message matches "${word}"` };
  return undefined;
}

function matchAny(lower: string, original: string, patterns: ReadonlyArray<string | RegExp> | undefined): string | undefined {
  if (patterns === undefined) return undefined;
  for (const p of patterns) {
    if (typeof p === 'string' ? lower.includes(p.toLowerCase()) : p.test(original)) return typeof p === 'string' ? `"${p}"` : String(p);
  }
  return undefined;
}

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
