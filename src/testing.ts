// steadfast/testing: virtual time and scripted fakes for users' unit tests. Explicit export list, no logic.

export { FakeClock } from './fake-clock.js';
export type { FakeClockOptions } from './fake-clock.js';
export { seededRandom } from './random.js';

// scriptedFetch, simulate (rank 5)
export { scriptedFetch } from './scripted-fetch.js';
export type { ScriptedFetch, ScriptStep, RecordedCall, ScriptedFetchOptions } from './scripted-fetch.js';
export { simulate } from './simulate.js';
export type { SimulatedOutcome, SimulatedAttempt, SimulationResult } from './simulate.js';
