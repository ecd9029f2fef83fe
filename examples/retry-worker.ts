/**
 * A job worker that re-queues failed executions on a 10s / 30s / 90s schedule, deciding what is
 * worth retrying from the error messages its runners produce (ClassifyOptions patterns).
 *
 * Runs in virtual time: the queue is ordered by due time and the clock jumps to the next due
 * job, so the whole 2-minute story prints at once.
 */
import { classify, formatDuration, schedule, type BackoffStep, type ClassifyOptions } from 'steadfast';

// What this fleet's runners say when they fail, on top of the built-in rules.
const rules: ClassifyOptions = {
  patterns: {
    transient: ['quota exceeded', /runner \S+ (is )?offline/i, 'lock held by another job'],
    permanent: ['license expired', 'unknown pipeline'],
  },
  unknown: 'permanent', // a message nobody recognises is a bug to look at, not something to hammer
};
const requeue = schedule(['10s', '30s', '90s']); // 3 retries, then the job is parked

// Each job's scripted executions: an error message, or 'ok'.
const runs: Record<string, string[]> = {
  lint: ['Runner r7 offline', 'Runner r7 offline', 'ok'],
  deploy: ['License expired for plugin "artifactory"'],
  nightly: ['API quota exceeded', 'API quota exceeded', 'API quota exceeded', 'API quota exceeded'],
  docs: ['lock held by another job', 'ok'],
  migrate: ['segfault in step 3'],
};

interface Queued {
  job: string;
  attempt: number;
  dueAt: number;
  step: BackoffStep | undefined;
}

let now = 0;
const queue: Queued[] = Object.keys(runs).map((job) => ({ job, attempt: 1, dueAt: 0, step: undefined }));
const outcome: Record<string, string> = {};
const random = (): number => 0.5; // the schedule has no jitter; a fleet would use jitter: 0.1

while (queue.length > 0) {
  queue.sort((a, b) => a.dueAt - b.dueAt);
  const next = queue.shift() as Queued;
  now = next.dueAt;
  const result = runs[next.job]?.[next.attempt - 1] ?? 'ok';
  const at = `t=${formatDuration(now)}`.padEnd(9);
  if (result === 'ok') {
    console.log(`${at} ${next.job.padEnd(8)} attempt ${next.attempt}: succeeded`);
    outcome[next.job] = `done after ${next.attempt} attempt(s)`;
    continue;
  }
  const verdict = classify(new Error(result), rules);
  const step = verdict.kind === 'transient' ? (next.step === undefined ? requeue.first(random) : next.step.next(random)) : undefined;
  if (step === undefined) {
    const why = verdict.kind === 'transient' ? 'schedule exhausted' : `${verdict.kind}: ${verdict.reason}`;
    console.log(`${at} ${next.job.padEnd(8)} attempt ${next.attempt}: "${result}" -> parked (${why})`);
    outcome[next.job] = `parked: ${why}`;
    continue;
  }
  console.log(`${at} ${next.job.padEnd(8)} attempt ${next.attempt}: "${result}" -> re-queued in ${formatDuration(step.delay)} (${verdict.reason})`);
  queue.push({ job: next.job, attempt: next.attempt + 1, dueAt: now + step.delay, step });
}

console.log('\nsummary:');
for (const [job, text] of Object.entries(outcome)) console.log(`  ${job.padEnd(8)} ${text}`);
