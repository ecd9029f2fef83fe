/**
 * One simulated agent: `poll` around a `ResilientClient`, as a state machine driven by the
 * simulation's timers. The composition (which attempt is a retry or a trial, when the recovery
 * monitor probes, whom a passing probe wakes) follows client/call.ts, client/recovery.ts and
 * policies/poll.ts step for step; every delay and decision comes from the library itself: the real
 * CircuitBreaker and RetryBudget, the backoff walks, poll's delay functions and the retry decision.
 * test/cli/fleet-agent.test.ts holds one agent against the real library on FakeClock.
 */
import type { BackoffStep } from '../core/backoff.js';
import { BackoffWalk } from '../core/backoff-walk.js';
import type { CircuitBreaker } from '../breaker/breaker.js';
import { classify, type Verdict } from '../core/classify.js';
import type { Clock } from '../core/clock.js';
import { isBrokenCircuit } from '../core/errors.js';
import { failureDelay, intervalDelay } from '../policies/poll-delay.js';
import { retryDecision } from './fleet-retry.js';
import { agentParts, type AgentParts, type Stack } from './fleet-stack.js';
import { CHECKIN, PROBE, RETRY, TRIAL, type Answer } from './fleet-server.js';

/** @internal What an agent needs from the simulation. */
export interface World {
  /** The current simulated time, ms. */
  readonly now: number;
  /** Sends one request of `kind` for `agent` now. */
  send(agent: number, kind: number): Answer;
  /** Sets the agent's timer on `lane` (0: poll and retries, 1: health probes) to fire at `time`; cancels it for NaN. */
  timer(agent: number, lane: number, time: number): void;
  /** Whether the agent's timer on `lane` is pending. */
  pending(agent: number, lane: number): boolean;
}

/** @internal Lanes of an agent's timers. */
export const MAIN = 0;
/** @internal */
export const MONITOR = 1;

const OK: Promise<void> = Promise.resolve();

/** @internal */
export class Agent {
  private readonly parts: AgentParts;
  private pollWalk: BackoffWalk;
  // The client call in progress (poll runs one at a time).
  private inCall = false;
  private attempt = 0;
  private step: BackoffStep | undefined = undefined;
  private callStart = 0;
  private waitingOutBreaker = false;
  // Recovery: the failure streak, whether the breaker opened in it, the monitor's walk, the last request sent.
  private streak = 0;
  private outage = false;
  private monitoring = false;
  private looks: BackoffWalk | undefined = undefined;
  private lastSentAt = -Infinity;

  constructor(
    readonly id: number,
    private readonly stack: Stack,
    private readonly world: World,
    readonly clock: Clock,
  ) {
    this.parts = agentParts(stack, clock);
    this.pollWalk = this.parts.pollWalk();
  }

  /** The agent's timer on `lane` fired. */
  fire(lane: number): Promise<void> | undefined {
    if (lane === MONITOR) return this.monitor();
    if (!this.inCall) {
      this.inCall = true;
      this.attempt = 1;
      this.step = undefined;
      this.callStart = this.world.now;
      this.parts.budget?.recordCall(this.callStart);
    }
    return this.tryOnce();
  }

  /** One attempt of the current call, then what follows it (Call.attempt, then withRetry's decision). */
  private async tryOnce(): Promise<void> {
    for (;;) {
      const kind = this.attempt === 1 ? CHECKIN : RETRY;
      const breaker = this.parts.breaker;
      let error: unknown;
      let ok = true;
      if (breaker === undefined) {
        error = this.world.send(this.id, kind);
        ok = error === undefined;
      } else {
        try {
          await breaker.execute(() => this.exchange(kind));
        } catch (e) {
          ok = false;
          error = e;
        }
      }
      if (ok) {
        this.succeeded();
        return this.endCall(undefined, true);
      }
      this.failed(error);
      const retry = this.parts.retry;
      if (retry === undefined) return this.endCall(error, false);
      const now = this.world.now;
      const next = retryDecision(retry, error, this.attempt, now - this.callStart, this.step, now, this.clock.random, (e, v) => this.retryOn(e, v));
      if (next === undefined) return this.endCall(error, false);
      this.step = next.step;
      this.attempt++;
      if (next.delay > 0) return this.world.timer(this.id, MAIN, this.world.now + next.delay);
    }
  }

  /** The request itself, inside the breaker: a call the breaker lets through while half-open is its trial. */
  private exchange(kind: number): Promise<void> {
    const trial = this.parts.breaker?.state === 'half-open';
    const answer = this.world.send(this.id, trial ? TRIAL : kind);
    return answer === undefined ? OK : Promise.reject(answer);
  }

  /** Call.retryOn for a check-in that is safe to resend: transient failures; one the breaker refused waits it out. */
  private retryOn(error: unknown, verdict: Verdict): boolean {
    if (verdict.kind !== 'transient') return false;
    this.waitingOutBreaker = isBrokenCircuit(error);
    return true;
  }

  /** The call is over: poll waits the interval after a success, its backoff (or the server's wait) after a failure. */
  private endCall(error: unknown, ok: boolean): void {
    this.inCall = false;
    this.waitingOutBreaker = false;
    const { world, stack, clock } = this;
    let delay: number;
    if (ok) {
      this.pollWalk = this.parts.pollWalk();
      delay = intervalDelay(stack.intervalMs, stack.pollJitter, clock.random);
    } else {
      delay = failureDelay(this.pollWalk, error, { intervalMs: stack.intervalMs, maxRetryAfterMs: stack.pollMaxRetryAfterMs }, world.now, clock.random);
    }
    world.timer(this.id, MAIN, world.now + delay);
  }

  // ---- Recovery (client/recovery.ts) ----

  private failed(error: unknown): void {
    const refused = isBrokenCircuit(error);
    if (!refused) this.lastSentAt = this.world.now;
    if (!refused && classify(error).kind !== 'transient') return;
    this.streak++;
    const breaker = this.parts.breaker;
    if (breaker === undefined || breaker.state !== 'open') return;
    this.outage = true;
    const monitor = this.stack.client?.monitor;
    if (this.monitoring || monitor === undefined) return;
    this.monitoring = true;
    this.looks = new BackoffWalk(monitor.looks);
    this.look();
  }

  private succeeded(): void {
    if (this.streak === 0) return;
    if (this.outage) {
      if (this.parts.breaker?.state !== 'closed') return;
      this.stopMonitor();
      this.wake();
    }
    this.streak = 0;
    this.outage = false;
  }

  private stopMonitor(): void {
    this.monitoring = false;
    this.world.timer(this.id, MONITOR, NaN);
  }

  /** A retry sleeping out the breaker is woken at once (Recovery.sleep). */
  private wake(): void {
    if (this.inCall && this.waitingOutBreaker && this.world.pending(this.id, MAIN)) this.world.timer(this.id, MAIN, this.world.now);
  }

  /** The monitor's next look at the breaker (Recovery.watch). */
  private look(): void {
    const d = (this.looks as BackoffWalk).next(this.clock.random);
    this.world.timer(this.id, MONITOR, this.world.now + (d ?? (this.stack.client?.monitor?.intervalMs ?? 0)));
  }

  /** The monitor looks: closed, it is done; no request lately, it probes (open: a pass half-opens; half-open: the probe is the trial). */
  private async monitor(): Promise<void> {
    const breaker = this.parts.breaker as CircuitBreaker;
    const intervalMs = this.stack.client?.monitor?.intervalMs ?? 0;
    const state = breaker.state;
    let done = state === 'closed';
    if (state === 'isolated') return void (this.monitoring = false);
    if (!done && this.world.now - this.lastSentAt >= intervalMs) {
      if (state === 'open') {
        done = this.world.send(this.id, PROBE) === undefined;
        if (done) breaker.tryHalfOpen();
      } else {
        try {
          await breaker.execute(() => {
            const answer = this.world.send(this.id, PROBE);
            return answer === undefined ? OK : Promise.reject(answer);
          });
          done = true;
        } catch {
          // the probe failed and re-opened the breaker, or a request holds the trial slot
        }
      }
    }
    if (!done) return this.look();
    this.monitoring = false;
    this.wake();
  }
}
