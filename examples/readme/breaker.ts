// A circuit breaker in front of a dependency that is down: after 3 failures it refuses calls at
// once (no request, no timeout to wait out), lets one trial through after openFor, and closes
// again when the trial succeeds. No timer runs: the breaker moves when it is called or read.
import { CircuitBreaker, isBrokenCircuit, type BreakerSnapshot } from 'steadfast';

let serverUp = false;
async function checkIn(): Promise<string> {
  if (!serverUp) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' });
  return 'checked in';
}

const breaker = new CircuitBreaker({
  name: 'checkin',
  failureThreshold: 3, // 3 transient failures in a row open it (a 404 or a caller's abort never counts)
  openFor: '200ms',
  onEvent: (e) => console.log(`event: ${e.type}`),
});

for (let attempt = 1; attempt <= 4; attempt++) {
  await breaker.execute(checkIn).catch((error: unknown) => {
    console.log(`attempt ${attempt}: ${isBrokenCircuit(error) ? `refused at once (${error.state})` : 'connection refused'}`);
  });
}
// The third failure opens the breaker inside execute(), before the caller's catch runs:
// prints: event: breaker_open
// prints: attempt 3: connection refused
// prints: attempt 4: refused at once (open)

// The state survives a restart: times in the snapshot are absolute epoch ms.
const saved: BreakerSnapshot = JSON.parse(JSON.stringify(breaker.snapshot()));
const restored = new CircuitBreaker({ name: 'checkin', openFor: '200ms', initialState: saved });
console.log(`restored: ${restored.state}`); // prints: restored: open

serverUp = true;
await new Promise((resolve) => setTimeout(resolve, breaker.retryAfterMs));
console.log(`after openFor: ${breaker.state}`); // prints: after openFor: half-open
console.log(await breaker.execute(checkIn)); // prints: checked in
console.log(`now: ${breaker.state}`); // prints: now: closed
