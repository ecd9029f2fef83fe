/**
 * Transient-vs-permanent classification (pure). Rules follow SPEC §2, first match wins.
 */
import { isAbortError, isBrokenCircuit, isBulkheadRejected, isObject, isTimeoutError, onCauseChain } from './errors.js';
import { parseRetryAfter, serverWaitMs } from './http-date.js';

export { parseRetryAfter };

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
  unknown?: Kind | undefined;
  /** Per-status overrides, e.g. `{ 404: 'transient' }` for a server that 404s while starting. */
  statuses?: Readonly<Record<number, Kind>> | undefined;
  /** Per-code overrides or additions, e.g. `{ ESOCKETTIMEDOUT: 'transient' }`. */
  codes?: Readonly<Record<string, Kind>> | undefined;
  /** Extra message patterns (strings case-insensitive), checked down the cause chain before the programmer-error rule and the default words; permanent first. */
  patterns?: { transient?: ReadonlyArray<string | RegExp>; permanent?: ReadonlyArray<string | RegExp> } | undefined;
  /** Epoch ms used to resolve an HTTP-date `Retry-After` (the retry loop passes its clock's time). */
  now?: number | undefined;
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

/**
 * Codes that prove a request never reached the server, so even a POST may be retried.
 *
 * @example
 * NOT_SENT_CODES.has('ECONNREFUSED') // true: nothing was sent
 * NOT_SENT_CODES.has('ECONNRESET')   // false: the server may have acted on it
 */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

const TLS_CODES = new Set(['ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);
const BROWSER_NETWORK_MESSAGES = new Set([
  'failed to fetch', // Chrome: refused, reset, DNS, CORS (found by running Chromium 156)
  'network error', // Chrome: the connection dropped while a body reader was reading
  'networkerror when attempting to fetch resource.', // Firefox
  'network request failed', // React Native, cross-fetch
  'load failed', // Safari
  'the internet connection appears to be offline.', // Safari
  'network connection lost', // Cloudflare Workers
  'terminated', // undici: the socket closed while the body was being read
]);
const RUNTIME_NETWORK_PREFIXES = [
  'error sending request for url', // Deno: "error sending request for url (https://...): ..."
  'unable to connect. is the computer able to access the url?', // Bun: refused, unreachable
  'the socket connection was closed unexpectedly', // Bun: reset, closed mid-response
];
// Bun names the code first ("ECONNRESET: The socket connection was closed unexpectedly...").
const CODE_PREFIX = /^([A-Z][A-Z0-9_]+): /;
const PROGRAMMER_ERRORS = new Set(['TypeError', 'RangeError', 'SyntaxError', 'ReferenceError']);
const PERMANENT_WORDS = ['validation', 'invalid', 'unauthorized', 'forbidden', 'bad request', 'malformed', 'missing required', 'not found'];
const TRANSIENT_WORDS = ['connection', 'timeout', 'timed out', 'unavailable', 'temporar', 'network', 'refused', 'unreachable', 'no route', 'reset', 'broken pipe', 'node offline', 'node not found'];

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
  if (isBrokenCircuit(error)) {
    // An isolated breaker never half-opens by itself (someone must reset() it): waiting can't help.
    if (error.state === 'isolated') return { kind: 'permanent', reason: 'circuit isolated' };
    return { kind: 'transient', reason: 'circuit open', retryAfterMs: error.retryAfterMs };
  }
  // Busy, not broken: transient even when unknown errors are configured permanent.
  if (isBulkheadRejected(error)) return { kind: 'transient', reason: 'bulkhead full' };
  if (!isObject(error)) return byMessage(String(error), o) ?? unclassified(o);

  const byStatus = statusVerdict(error, o);
  if (byStatus !== undefined) return byStatus;

  const byCode = codeVerdict(error, o);
  if (byCode !== undefined) return byCode;

  const message = typeof error['message'] === 'string' ? error['message'] : '';
  const name = typeof error['name'] === 'string' ? error['name'] : '';
  if (name === 'TypeError' && message === 'fetch failed') return { kind: 'transient', reason: 'network error' };
  const prefixed = CODE_PREFIX.exec(message)?.[1];
  if (prefixed !== undefined && NETWORK_CODES[prefixed] !== undefined && o.codes?.[prefixed] === undefined) {
    return { kind: 'transient', reason: NETWORK_CODES[prefixed], code: prefixed };
  }
  const lower = message.replace(CODE_PREFIX, '').toLowerCase();
  if (BROWSER_NETWORK_MESSAGES.has(lower) || RUNTIME_NETWORK_PREFIXES.some((p) => lower.startsWith(p))) {
    return { kind: 'transient', reason: 'network error' };
  }
  // The caller's own patterns override the built-in rules below, programmer errors included.
  if (o.patterns !== undefined) {
    const custom = onChain(error, (text) => byCustom(text, o.patterns));
    if (custom !== undefined) return custom;
  }
  if (PROGRAMMER_ERRORS.has(name)) return { kind: 'permanent', reason: `programmer error (${name})` };
  return onChain(error, (text) => byMessage(text, o)) ?? unclassified(o);
}

function onChain(error: Record<string, unknown>, test: (message: string) => Verdict | undefined): Verdict | undefined {
  return onCauseChain(error, (e) => (typeof e['message'] === 'string' ? test(e['message']) : undefined));
}

// A wrapper such as `new Error('check-in failed', { cause: httpError })` keeps the status's verdict.
function statusVerdict(error: Record<string, unknown>, o: ClassifyOptions): Verdict | undefined {
  return onCauseChain(error, (current) => {
    const status = statusOf(current);
    if (status === undefined) return undefined;
    const override = o.statuses?.[status];
    // A non-error status (a 304 on a wrapper) decides only when the caller said so.
    if (status < 400 || status > 599) return override === undefined ? undefined : { kind: override, reason: `HTTP ${status}`, status };
    // RFC 9110 §15.5.14: a 413 with Retry-After says the condition is temporary.
    const wait = status === 429 || status === 503 || status === 413 ? retryAfterOf(current, status, o.now) : undefined;
    const temporary = isTransientStatus(status) || (status === 413 && wait !== undefined);
    const kind = override ?? (temporary ? 'transient' : 'permanent');
    const verdict: Verdict = { kind, reason: `HTTP ${status}`, status };
    if (wait !== undefined) verdict.retryAfterMs = wait;
    return verdict;
  });
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

function retryAfterOf(error: Record<string, unknown>, status: number, now: number | undefined): number | undefined {
  const given = error['retryAfterMs'];
  if (typeof given === 'number' && given >= 0 && given <= Number.MAX_SAFE_INTEGER) return given;
  // A thrown `Response` carries its own headers.
  const response = isObject(error['response']) ? error['response'] : error;
  const headers = response['headers'];
  if (!isObject(headers)) return undefined;
  if (typeof headers['get'] === 'function') {
    const get = headers['get'] as (n: string) => unknown;
    return serverWaitMs(status, { get: (n) => stringOrNull(get.call(headers, n)) }, now);
  }
  // A plain object of lower-case header names (axios style).
  return serverWaitMs(status, { get: (n) => stringOrNull(headers[n]) }, now);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function codeVerdict(error: Record<string, unknown>, o: ClassifyOptions): Verdict | undefined {
  return onCauseChain(error, (current) => codeAt(current, o) ?? firstNested(current, o));
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

function byCustom(message: string, custom: ClassifyOptions['patterns']): Verdict | undefined {
  const text = message.toLowerCase();
  const p = matchAny(text, message, custom?.permanent);
  if (p !== undefined) return { kind: 'permanent', reason: `message matches ${p}` };
  const t = matchAny(text, message, custom?.transient);
  if (t !== undefined) return { kind: 'transient', reason: `message matches ${t}` };
  return undefined;
}

function byMessage(message: string, o: ClassifyOptions): Verdict | undefined {
  const text = message.toLowerCase();
  if (o.patterns !== undefined) {
    const custom = byCustom(message, o.patterns);
    if (custom !== undefined) return custom;
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
    // `search` ignores a /g regex's lastIndex, so a shared global RegExp matches every time.
    if (typeof p === 'string' ? lower.includes(p.toLowerCase()) : original.search(p) !== -1) return typeof p === 'string' ? `"${p}"` : String(p);
  }
  return undefined;
}
