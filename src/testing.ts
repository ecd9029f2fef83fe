// steadfast/testing: virtual time and scripted fakes for users' unit tests. Explicit export list, no logic.

export { FakeClock } from './testing/fake-clock.js';
export type { FakeClockOptions } from './testing/fake-clock.js';
export { seededRandom } from './core/random.js';

// scriptedFetch, simulate (rank 5)
export { scriptedFetch } from './testing/scripted-fetch.js';
export type { ScriptedFetch, ScriptStep, RecordedCall, ScriptedFetchOptions } from './testing/scripted-fetch.js';
export { simulate } from './testing/simulate.js';
export type { SimulatedOutcome, SimulatedAttempt, SimulationResult } from './testing/simulate.js';
