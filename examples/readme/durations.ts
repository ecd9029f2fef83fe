// Durations: every time option takes milliseconds or a short string.
import { formatDuration, parseDuration } from 'steadfast';

for (const value of [250, '250ms', '5s', '1.5s', '5m', '1h', '1m30s']) {
  console.log(`${JSON.stringify(value)} -> ${parseDuration(value)} ms`);
}
console.log(formatDuration(90_000));
console.log(parseDuration('Infinity', { option: 'maxElapsed', allowInfinity: true }));

try {
  parseDuration('5 seconds', { option: 'interval' });
} catch (error) {
  console.log(String(error));
}

// Output:
// 250 -> 250 ms
// "250ms" -> 250 ms
// "5s" -> 5000 ms
// "1.5s" -> 1500 ms
// "5m" -> 300000 ms
// "1h" -> 3600000 ms
// "1m30s" -> 90000 ms
// 1m30s
// Infinity
// RangeError: steadfast: interval must be a non-negative duration in ms or a string like "250ms", "5s", "1m30s"; got "5 seconds"
