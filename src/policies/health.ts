/**
 * Health checks: a probe run under a timeout, a healthy/unhealthy status with hysteresis,
 * optional periodic checks on unref'd timers, and a wait-until-healthy loop with backoff.
 */
import { runWithSignal, signalOption } from '../core/abort.js';
import { backoffOption, exponential, type Backoff } from '../core/backoff.js';
import { BackoffWalk } from '../core/backoff-walk.js';
import { clockOption, wallTime, type Clock, type SleepOptions } from '../core/clock.js';
import { type Duration } from '../core/duration.js';
import { countOption, describeValue, functionOption, isOptionsObject, nameOption, objectOption, orDefault, positiveDuration } from '../core/options.js';
import { HttpError } from '../core/errors.js';
import { globalFetch } from '../core/fetch.js';
import { emit, ignoreResult, safeUrl, summarizeError, type EventSink } from '../core/events.js';

/** Checks the server once: resolves when healthy, rejects (or never settles) when not. Honour `signal`. */
export type Probe = (signal: AbortSignal) => Promise<unknown>;

/** What a {@link HealthCheck} currently believes. `unknown` until enough checks have run. */
export type HealthStatus = 'unknown' | 'healthy' | 'unhealthy';

/** Options for {@link HealthCheck}. */
export interface HealthCheckOptions {
  /** The check itself; see {@link httpProbe}. A probe that throws or times out is a failure. */
  probe: Probe;
  /** Time between periodic checks once {@link HealthCheck.start} is called. @default '30s' */
  interval?: Duration | undefined;
  /** Longest a probe may take before it counts as failed (`Infinity` allowed). @default '5s' */
  timeout?: Duration | undefined;
  /** Consecutive successes needed to become `healthy`. @default 1 */
  healthyAfter?: number | undefined;
  /** Consecutive failures needed to become `unhealthy`. @default 1 */
  unhealthyAfter?: number | undefined;
  /** Time source. @default systemClock */
  clock?: Clock | undefined;
  /** Receives `health_ok` and `health_fail` events. */
  onEvent?: EventSink | undefined;
  /** Name carried by events. @default 'health' */
  name?: string | undefined;
}

/** Options for {@link HealthCheck.waitUntilHealthy}. */
export interface WaitUntilHealthyOptions {
  /** Aborting it rejects the wait at once with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** Delay between failed checks; a finite schedule keeps its last delay. @default exponential 1s..30s, full jitter */
  backoff?: Backoff | undefined;
}

const DEFAULT_WAIT_BACKOFF: Backoff = /* @__PURE__ */ exponential({ initial: '1s', max: '30s', jitter: 'full' });

/**
 * Tracks whether a dependency is up by running a probe, on demand or periodically.
 *
 * @example
 * const health = new HealthCheck({ probe: httpProbe('https://api.example.com/health'), interval: '10s' });
 * health.start();                       // checks now and every 10s, without keeping the process alive
 * await health.waitUntilHealthy({ signal });
 */
export class HealthCheck {
  private readonly probe: Probe;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly healthyAfter: number;
  private readonly unhealthyAfter: number;
  private readonly clock: Clock;
  // Periodic checks must not keep a process alive: their timeout timers are unref'd too.
  private readonly backgroundClock: Clock;
  private readonly onEvent: EventSink | undefined;
  private readonly name: string;
  private current: HealthStatus = 'unknown';
  private successes = 0;
  private failures = 0;
  private loop: AbortController | undefined;

  constructor(o: HealthCheckOptions) {
    if (!isOptionsObject(o)) throw new TypeError(`steadfast: HealthCheck needs an options object; got ${describeValue(o)}`);
    const probe = functionOption('HealthCheck.probe', o.probe);
    if (probe === undefined) throw new TypeError('steadfast: HealthCheck.probe must be a function; got undefined');
    this.probe = probe;
    this.intervalMs = positiveDuration('HealthCheck.interval', orDefault(o.interval, '30s'));
    this.timeoutMs = positiveDuration('HealthCheck.timeout', orDefault(o.timeout, '5s'), { allowInfinity: true });
    this.healthyAfter = countOption('HealthCheck.healthyAfter', orDefault(o.healthyAfter, 1), { min: 1 });
    this.unhealthyAfter = countOption('HealthCheck.unhealthyAfter', orDefault(o.unhealthyAfter, 1), { min: 1 });
    this.clock = clockOption('HealthCheck.clock', o.clock);
    this.backgroundClock = unrefClock(this.clock);
    this.onEvent = functionOption('HealthCheck.onEvent', o.onEvent);
    this.name = nameOption('HealthCheck.name', o.name, 'health');
  }

  /** `unknown` until the first threshold is reached, then `healthy` or `unhealthy`. */
  get status(): HealthStatus {
    return this.current;
  }

  /**
   * Runs the probe once under `timeout`, updates {@link status} and emits `health_ok {latencyMs}`
   * or `health_fail {error}`. Never throws.
   *
   * @example
   * if (!(await health.check())) console.log('server still down');
   */
  check(): Promise<boolean> {
    return this.run(undefined, this.clock);
  }

  /** Checks now and then every `interval`, on unref'd timers. Calling it again while running does nothing. */
  start(): void {
    if (this.loop !== undefined) return;
    const loop = new AbortController();
    this.loop = loop;
    void this.repeat(loop.signal);
  }

  /** Stops periodic checks at once: the pending sleep is cancelled and a probe in flight is aborted. */
  stop(): void {
    this.loop?.abort();
    this.loop = undefined;
  }

  /**
   * Checks until the status is `healthy` (one passing check with the default `healthyAfter`),
   * waiting per `backoff` after each failure. Rejects with `signal.reason` on abort, leaving no
   * timer or listener behind.
   *
   * @example
   * await health.waitUntilHealthy({ signal: AbortSignal.timeout(60_000) });
   */
  async waitUntilHealthy(o: WaitUntilHealthyOptions = {}): Promise<void> {
    objectOption('waitUntilHealthy options', o);
    const signal = signalOption('waitUntilHealthy.signal', o.signal);
    const backoff = backoffOption('waitUntilHealthy.backoff', o.backoff) ?? DEFAULT_WAIT_BACKOFF;
    signal?.throwIfAborted();
    let walk = new BackoffWalk(backoff);
    for (;;) {
      const ok = await this.run(signal, this.clock);
      // run() swallows an abort, so look at the signal itself (it may have aborted while we slept or probed).
      signal?.throwIfAborted();
      if (this.current === 'healthy') return;
      // A pass that is not yet enough (healthyAfter > 1) restarts the backoff from its first step.
      if (ok) walk = new BackoffWalk(backoff);
      await this.clock.sleep(walk.next(() => this.clock.random()) ?? this.intervalMs, signal);
    }
  }

  private async repeat(signal: AbortSignal): Promise<void> {
    try {
      while (!signal.aborted) {
        await this.run(signal, this.backgroundClock);
        await this.clock.sleep(this.intervalMs, signal, UNREF);
      }
    } catch {
      // stop() aborted the sleep: nothing left to do.
    }
  }

  private async run(signal: AbortSignal | undefined, clock: Clock): Promise<boolean> {
    const started = this.clock.now();
    try {
      await runWithSignal(this.probe, { signal, timeoutMs: this.timeoutMs, clock });
    } catch (error) {
      // A check cancelled by its caller says nothing about the server.
      if (signal?.aborted === true) return false;
      this.successes = 0;
      this.failures++;
      if (this.failures >= this.unhealthyAfter) this.current = 'unhealthy';
      if (this.onEvent !== undefined) emit(this.onEvent, 'health_fail', this.name, this.clock, { error: summarizeError(error) });
      return false;
    }
    if (signal?.aborted === true) return false;
    this.failures = 0;
    this.successes++;
    if (this.successes >= this.healthyAfter) this.current = 'healthy';
    if (this.onEvent !== undefined) {
      const now = this.clock.now();
      emit(this.onEvent, 'health_ok', this.name, this.clock, { latencyMs: Math.max(0, now - started) });
    }
    return true;
  }
}

const UNREF: SleepOptions = { unref: true };

/** Options for {@link httpProbe}. */
export interface HttpProbeOptions {
  /** The fetch to use, resolved once here. @default globalThis.fetch */
  fetch?: typeof fetch | undefined;
  /** Extra acceptance test on a 2xx response (e.g. a header); `false` is a failure. Runs before the body is discarded. */
  expect?: ((response: Response) => boolean) | undefined;
}

/**
 * A probe that GETs `url` and passes on a 2xx response (and `expect`, if given). The response
 * body is always cancelled, so no socket is left waiting.
 *
 * @example
 * const probe = httpProbe('http://127.0.0.1:8080/health', { expect: (r) => r.headers.get('x-ready') === '1' });
 */
export function httpProbe(url: string | URL, o: HttpProbeOptions = {}): Probe {
  if (typeof url !== 'string' && !(url instanceof URL)) throw new TypeError(`steadfast: httpProbe.url must be an absolute URL string or URL; got ${describeValue(url)}`);
  objectOption('httpProbe options', o);
  let parsed: URL | undefined;
  try {
    parsed = new URL(String(url));
  } catch {
    // reported below
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new TypeError(`steadfast: httpProbe.url must be an absolute http: or https: URL; got ${JSON.stringify(safeUrl(String(url)))}`);
  }
  const target = parsed.href;
  const doFetch = functionOption('httpProbe.fetch', o.fetch) ?? globalFetch('httpProbe(url, { fetch })');
  const expect = functionOption('httpProbe.expect', o.expect);
  const where = safeUrl(target);
  return async (signal: AbortSignal): Promise<void> => {
    const response = await doFetch(target, { method: 'GET', signal, headers: { accept: '*/*' } });
    let accepted = false;
    try {
      if (!response.ok) throw new HttpError(response.status, `HTTP ${response.status} from ${where}`);
      const verdict: unknown = expect === undefined || expect(response);
      ignoreResult(verdict); // expect is synchronous: a promise it returns is not `true`, and must not crash the process
      accepted = verdict === true;
    } finally {
      await discardBody(response);
    }
    if (!accepted) throw new Error(`health probe rejected the response from ${where} (HTTP ${response.status})`);
  };
}

async function discardBody(response: Response): Promise<void> {
  try {
    // A body that `expect` already read or locked cannot be cancelled; that is fine.
    if (response.body !== null && !response.bodyUsed) await response.body.cancel();
  } catch {
    /* already consumed */
  }
}

function unrefClock(clock: Clock): Clock {
  const unref: Clock = {
    now: () => clock.now(),
    random: () => clock.random(),
    sleep: (ms, signal) => clock.sleep(ms, signal, UNREF),
  };
  // Events' time is wall time: keep the wall clock too.
  if (clock.wallNow !== undefined) unref.wallNow = () => wallTime(clock);
  return unref;
}
