// An agent reports to three backends (metrics, tasks, logs), each behind its own circuit breaker
// from one BreakerRegistry. The logs backend is down: only the 'logs' breaker opens, metrics and
// tasks keep flowing, and the agent stops spending requests and retries on logs until a trial
// call finds it back. One RetryBudget caps the retries of every subsystem together.
import { BreakerRegistry, RetryBudget, constant, isBrokenCircuit, withRetry } from 'steadfast';

const SUBSYSTEMS = ['metrics', 'tasks', 'logs'] as const;
type Subsystem = (typeof SUBSYSTEMS)[number];

const down = new Set<Subsystem>(['logs']); // the logs backend starts out down
const sent: Record<Subsystem, number> = { metrics: 0, tasks: 0, logs: 0 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Stands in for a POST to one backend. */
async function send(subsystem: Subsystem): Promise<void> {
  sent[subsystem]++;
  await sleep(5);
  if (down.has(subsystem)) throw Object.assign(new Error(`connect ECONNREFUSED (${subsystem})`), { code: 'ECONNREFUSED' });
}

const breakers = new BreakerRegistry({
  defaults: { name: 'agent', failureThreshold: 3, openFor: '300ms' },
  onEvent: (e) => console.log(`  [${e.type}] ${e.name}`),
});
const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 5 });

async function report(subsystem: Subsystem): Promise<string> {
  try {
    await withRetry(() => breakers.get(subsystem).execute(() => send(subsystem)), {
      maxRetries: 2,
      backoff: constant('20ms'),
      budget,
      // An open breaker means "skip this round", not "wait for it".
      retryOn: (error, verdict) => verdict.kind === 'transient' && !isBrokenCircuit(error),
      name: subsystem,
    });
    return 'ok';
  } catch (error) {
    return isBrokenCircuit(error) ? 'skipped (breaker open)' : 'failed';
  }
}

for (let round = 1; round <= 6; round++) {
  if (round === 4) {
    down.delete('logs');
    console.log('-- the logs backend is back --');
  }
  const results = await Promise.all(SUBSYSTEMS.map(async (s) => `${s} ${await report(s)}`));
  console.log(`round ${round}: ${results.join(', ')}`);
  await sleep(100);
}

console.log(`breakers: ${breakers.keys().map((key) => `${key}=${breakers.get(key).state}`).join(', ')}`);
console.log(`requests sent: ${JSON.stringify(sent)}; retries left in the budget: ${budget.available()}`);
