// Backoff tables: what each builder waits before retry 1, 2, 3, ...
import { constant, delays, exponential, formatDuration, linear, schedule, type Backoff } from 'steadfast';

const show = (label: string, b: Backoff, count: number, random?: () => number): void => {
  const ms = delays(b, count, random === undefined ? {} : { random });
  console.log(`${label}: ${ms.map(formatDuration).join(', ')}`);
};

show('exponential 5s..60s', exponential({ initial: '5s', max: '60s', jitter: 'none' }), 6);
show('schedule 4s..64s', schedule(['4s', '8s', '16s', '32s', '64s']), 10); // 5 retries, then it stops
show('schedule repeatLast', schedule(['10s', '30s', '90s'], { repeatLast: true }), 5);
show('linear 1s +2s ..6s', linear({ initial: '1s', step: '2s', max: '6s' }), 5);
show('constant 5s', constant('5s'), 3);

// Jitter spreads a fleet's retries apart. With random() = 0.5 the formulas are easy to check:
const half = (): number => 0.5;
show('full jitter', exponential({ initial: '1s', max: '30s', jitter: 'full' }), 5, half); // uniform in [0, d]
show('equal jitter', exponential({ initial: '1s', max: '30s', jitter: 'equal' }), 5, half); // d/2 + uniform [0, d/2]
show('±20% jitter', exponential({ initial: '1s', max: '30s', jitter: 0.2 }), 5, () => 1 - Number.EPSILON); // d * (1 + 0.2)

// Output:
// exponential 5s..60s: 5s, 10s, 20s, 40s, 1m, 1m
// schedule 4s..64s: 4s, 8s, 16s, 32s, 1m4s
// schedule repeatLast: 10s, 30s, 1m30s, 1m30s, 1m30s
// linear 1s +2s ..6s: 1s, 3s, 5s, 6s, 6s
// constant 5s: 5s, 5s, 5s
// full jitter: 500ms, 1s, 2s, 4s, 8s
// equal jitter: 750ms, 1.5s, 3s, 6s, 12s
// ±20% jitter: 1.2s, 2.4s, 4.8s, 9.6s, 19.2s
