/**
 * Request plumbing for `ResilientClient` (pure apart from reading Response headers): URL joining,
 * method safety, body replay, header merging and turning a non-2xx response into an `HttpError`.
 */
import { NOT_SENT_CODES, type Verdict } from '../core/classify.js';
import { serverWaitMs } from '../core/http-date.js';
import { describeValue } from '../core/options.js';
import { HttpError, isBrokenCircuit, isObject } from '../core/errors.js';
import { safeUrl } from '../core/events.js';

/** Methods that are safe to repeat by definition (RFC 9110 §9.2.2: safe or idempotent). */
const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'QUERY']);

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:/i;

/** @internal A parsed `baseUrl`: the prefix (no trailing slash, no query) and its query, added to every relative request. */
export interface BaseUrl {
  prefix: string;
  /** `'a=1&b=2'` or `''`. */
  query: string;
}

/** @internal Parses and checks `baseUrl` (credentials stay in the prefix; see {@link splitCredentials}). */
export function baseUrlOption(value: unknown): BaseUrl {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new TypeError(`steadfast: ResilientClient.baseUrl must be an absolute URL string or URL; got ${describeValue(value)}`);
  }
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new TypeError(`steadfast: ResilientClient.baseUrl must be an absolute URL; got ${JSON.stringify(safeUrl(String(value)))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`steadfast: ResilientClient.baseUrl must be an http: or https: URL; got ${JSON.stringify(safeUrl(url))}`);
  }
  const query = url.search.slice(1);
  url.hash = '';
  url.search = '';
  return { prefix: url.href.replace(/\/+$/, ''), query };
}

/**
 * @internal Resolves `input` against the base: a URL object or a string with a scheme is used as
 * is; any other string is appended to the base path, so `/checkin` on `https://h/api` is
 * `https://h/api/checkin` (a prefix, like ky's `prefixUrl`, not WHATWG's replace-the-path rule).
 * A query on the base (an API key, say) is added to every relative request.
 */
export function resolveUrl(base: BaseUrl, input: string | URL): string {
  if (typeof input !== 'string') return input.href;
  if (ABSOLUTE.test(input)) return input;
  const joined = input === '' || input.startsWith('?') || input.startsWith('#') || input.startsWith('/') ? base.prefix + input : `${base.prefix}/${input}`;
  if (base.query === '') return joined;
  const hash = joined.indexOf('#');
  const [path, fragment] = hash < 0 ? [joined, ''] : [joined.slice(0, hash), joined.slice(hash)];
  return `${path}${path.includes('?') ? '&' : '?'}${base.query}${fragment}`;
}

/**
 * @internal The origin (scheme, host, port) a request goes to: the base's for a relative path,
 * parsed only for an absolute URL. `url` is the resolved URL, without credentials.
 */
export function originOf(baseOrigin: string, input: string | URL, url: string): string {
  if (typeof input === 'string' && !ABSOLUTE.test(input)) return baseOrigin;
  return new URL(url).origin;
}

/**
 * @internal Where an origin's breaker probes health: `path` joined to `baseUrl` (as any request)
 * for the base origin; for another origin, `path` from that origin's root (an absolute health URL
 * is used as is). `undefined` when that cannot form a URL.
 */
export function healthUrl(base: BaseUrl, origin: string, path: string): { url: string; authorization: string | undefined } | undefined {
  try {
    const baseOrigin = new URL(base.prefix).origin;
    const target = origin === baseOrigin || ABSOLUTE.test(path) ? resolveUrl(base, path) : new URL(path, origin).href;
    return splitCredentials(target);
  } catch {
    return undefined;
  }
}

const USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i;

/**
 * @internal `fetch` refuses URLs with credentials, so `https://user:pw@host/x` becomes
 * `https://host/x` plus a Basic `authorization` value (used unless headers set their own).
 */
export function splitCredentials(url: string): { url: string; authorization: string | undefined } {
  if (!USERINFO.test(url)) return { url, authorization: undefined };
  const u = new URL(url);
  const user = decodeURIComponent(u.username);
  const password = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return { url: u.href, authorization: `Basic ${btoa(binary)}` };
}

/** @internal Whether `method` may be repeated without the caller saying so. */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method);
}

/**
 * @internal Whether a failure proves the request never reached the server (refused, no DNS,
 * connect timeout, or refused by our own open breaker): then even a POST may be retried.
 */
export function neverSent(error: unknown, verdict: Verdict): boolean {
  return (verdict.code !== undefined && NOT_SENT_CODES.has(verdict.code)) || isBrokenCircuit(error);
}

/** How a request body behaves on retry. */
export type BodyKind = 'none' | 'replayable' | 'stream';

/**
 * @internal Strings, buffers, typed arrays, Blobs, URLSearchParams and FormData are re-read by
 * `fetch` on each call, so passing the same value again re-sends it byte for byte. Anything else
 * (a ReadableStream, an async iterable) is consumed by the first send.
 */
export function bodyKind(body: BodyInit | null | undefined): BodyKind {
  if (body === undefined || body === null) return 'none';
  if (typeof body === 'string' || body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return 'replayable';
  if (typeof Blob !== 'undefined' && body instanceof Blob) return 'replayable';
  if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) return 'replayable';
  if (typeof FormData !== 'undefined' && body instanceof FormData) return 'replayable';
  if (typeof SharedArrayBuffer !== 'undefined' && (body as unknown) instanceof SharedArrayBuffer) return 'replayable';
  return 'stream';
}

/** @internal Header names lower-cased into a plain record, so merging is a spread. */
export function headerRecord(init: HeadersInit | undefined, option = 'headers'): Record<string, string> {
  const out: Record<string, string> = {};
  if (init === undefined) return out;
  if (init instanceof Headers) {
    init.forEach((value, name) => {
      out[name] = value;
    });
    return out;
  }
  if (Array.isArray(init)) {
    for (const pair of init) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new TypeError(`steadfast: ${option} pairs must be [name, value]`);
      out[String(pair[0]).toLowerCase()] = String(pair[1]);
    }
    return checkHeaders(out, option);
  }
  if (!isObject(init)) throw new TypeError(`steadfast: ${option} must be a HeadersInit or a function; got ${describeValue(typeof init)}`);
  for (const name of Object.keys(init)) {
    const value = (init as Record<string, unknown>)[name];
    if (value !== undefined) out[name.toLowerCase()] = String(value);
  }
  return checkHeaders(out, option);
}

// fetch's own error quotes the bad value (often a token): name the header, never its value.
function checkHeaders(headers: Record<string, string>, option: string): Record<string, string> {
  try {
    new Headers(headers);
    return headers;
  } catch {
    for (const name of Object.keys(headers)) {
      try {
        new Headers([[name, headers[name] as string]]);
      } catch {
        throw new TypeError(`steadfast: ${option}: header ${JSON.stringify(name.slice(0, 64))} has an invalid name or value (value not shown)`);
      }
    }
    throw new TypeError(`steadfast: ${option}: invalid headers (values not shown)`);
  }
}

/**
 * @internal The error a non-2xx response becomes inside an attempt. Its message names the method
 * and the URL without userinfo or query, so logs stay free of secrets.
 */
export function httpErrorFor(response: Response, method: string, url: string, now: number): HttpError {
  const retryAfterMs = serverWaitMs(response.status, response.headers, now);
  return new HttpError(
    response.status,
    `HTTP ${response.status} for ${method} ${safeUrl(url)}`,
    retryAfterMs === undefined ? { response } : { response, retryAfterMs },
  );
}

/** @internal Releases a response body nobody will read, so its socket goes back to the pool. */
export function cancelBody(response: Response | undefined): void {
  if (response === undefined || response.body === null || response.bodyUsed) return;
  try {
    response.body.cancel().catch(() => {});
  } catch {
    // Locked by a reader: its owner releases it.
  }
}

/** @internal Whether `error` is a 401 from our own attempt. */
export function isUnauthorized(error: unknown): error is HttpError {
  return error instanceof HttpError && error.status === 401;
}

/** @internal Reads a JSON body (`undefined` when empty). Runs inside the attempt, so a body cut off mid-way ("terminated") is retried like any network failure. */
export async function parseJSON(response: Response): Promise<unknown> {
  const text = await response.text();
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}
