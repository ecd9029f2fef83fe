// Classification: is this error worth retrying?
import { classify, HttpError, isTransient, parseRetryAfter, type ClassifyOptions } from 'steadfast';

const show = (error: unknown, o?: ClassifyOptions): void => console.log(JSON.stringify(classify(error, o)));

const refused = new TypeError('fetch failed', {
  cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' }),
});
const expired = new TypeError('fetch failed', {
  cause: Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' }),
});
const busy = new HttpError(503, 'Service Unavailable', {
  response: new Response(null, { status: 503, headers: { 'retry-after': '120' } }),
});

show(refused);
show(expired);
show(busy);
show(new HttpError(404));
show(new DOMException('stopped by the user', 'AbortError'));
show(new Error('connection validation failed'));
show(new Error('quota refresh pending'), { patterns: { transient: ['quota refresh'] } });
show(new Error('something odd'), { unknown: 'permanent' });

console.log(isTransient(refused), isTransient(new HttpError(422)));
console.log(parseRetryAfter('120'), parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', Date.UTC(2026, 0, 1)), parseRetryAfter('soon'));

// Output:
// {"kind":"transient","reason":"connection refused","code":"ECONNREFUSED"}
// {"kind":"permanent","reason":"TLS certificate rejected (CERT_HAS_EXPIRED)","code":"CERT_HAS_EXPIRED"}
// {"kind":"transient","reason":"HTTP 503","status":503,"retryAfterMs":120000}
// {"kind":"permanent","reason":"HTTP 404","status":404}
// {"kind":"aborted","reason":"aborted"}
// {"kind":"permanent","reason":"message matches \"validation\""}
// {"kind":"transient","reason":"message matches \"quota refresh\""}
// {"kind":"permanent","reason":"unclassified"}
// true false
// 120000 30000 undefined
