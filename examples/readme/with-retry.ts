// withRetry: any async call, retried with backoff while its failures are transient.
import { exponential, HttpError, withRetry } from 'steadfast';

let calls = 0;
const flakyCheckIn = async (): Promise<string> => {
  if (++calls < 3) throw new HttpError(503); // "Service Unavailable": transient
  return 'checked in';
};
const result = await withRetry(flakyCheckIn, { backoff: exponential({ initial: '50ms', max: '2s' }), maxRetries: 5 });
console.log(`${result} after ${calls} calls`); // prints: checked in after 3 calls
