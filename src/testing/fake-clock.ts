/**
 * Virtual time for tests: a {@link Clock} whose timers fire only when the test advances it.
 */
import { onAbort } from '../core/abort-hub.js';
import { nextMacrotask, type Clock, type SleepOptions } from '../core/clock.js';
import { functionOption, numberOption, objectOption, orDefault } from '../core/options.js';
import { seededRandom } from '../core/random.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** Options for {@link FakeClock}. */
export interface FakeClockOptions {
  /** Initial virtual time, epoch ms. @default 0 */
  now?: number | undefined;
  /** Initial wall time (`wallNow()`), epoch ms, if it should differ from `now`. @default now */
  wall?: number | undefined;
  /** Seed for `random()`. @default 1 */
  seed?: number | undefined;
  /** A fixed `random()` source instead of the seeded one. */
  random?: (() => number) | undefined;
}

/**
 * A clock that only moves when told. `sleep` registers a virtual timer; `advance(ms)` moves time
 * forward, firing due timers in order and letting promise callbacks run between them.
 * It models both time scales: `now()` is monotonic (every duration), `wallNow()` is the wall
 * clock (events' `time`, HTTP dates), which `jumpWall(ms)` steps as NTP or a resumed VM would.
 *
 * @example
 * const clock = new FakeClock();
 * const done = withRetry(fn, { clock });
 * await clock.runAll();           // plays every retry sleep instantly
 * await done;
 */
export class FakeClock implements Clock {
  private time: number;
  /** wallNow() - now(): changed only by jumpWall. */
  private wallAhead: number;
  private seq = 0;
  private timers: Timer[] = [];
  private readonly rand: () => number;

  constructor(o: FakeClockOptions = {}) {
    objectOption('FakeClock options', o);
    this.time = numberOption('FakeClock.now', orDefault(o.now, 0), -Number.MAX_VALUE, Number.MAX_VALUE);
    this.rand = functionOption('FakeClock.random', o.random) ?? seededRandom(numberOption('FakeClock.seed', orDefault(o.seed, 1), -Number.MAX_VALUE, Number.MAX_VALUE));
    this.wallAhead = o.wall === undefined ? 0 : numberOption('FakeClock.wall', o.wall, -Number.MAX_VALUE, Number.MAX_VALUE) - this.time;
  }

  now(): number {
    return this.time;
  }

  /** Virtual wall time, epoch ms: moves with `advance`, and steps with `jumpWall`. */
  wallNow(): number {
    return this.time + this.wallAhead;
  }

  /**
   * Steps the wall clock by `ms` (negative: back), as an NTP correction or a resumed VM does.
   * `now()` and every pending timer are unchanged: durations never follow the wall clock.
   *
   * @example
   * clock.jumpWall(-3_600_000); // the wall clock goes back an hour; a 300ms timeout still fires at 300ms
   */
  jumpWall(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new RangeError(`steadfast: FakeClock.jumpWall needs a finite number of ms; got ${String(ms)}`);
    this.wallAhead += ms;
  }

  random(): number {
    return this.rand();
  }

  /** Number of sleeps waiting for virtual time (0 means nothing is left behind). */
  get pending(): number {
    return this.timers.length;
  }

  sleep(ms: number, signal?: AbortSignal, _options?: SleepOptions): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      // NaN and negatives mean 0, as for setTimeout; Infinity never fires (only an abort ends it).
      const timer: Timer = { at: this.time + (ms > 0 ? ms : 0), seq: this.seq++, resolve: () => {} };
      const off =
        signal === undefined
          ? undefined
          : onAbort(signal, () => {
              this.remove(timer);
              reject(signal.reason);
            });
      timer.resolve = () => {
        off?.();
        resolve();
      };
      this.insert(timer);
    });
  }

  /**
   * Moves virtual time forward by `ms`, firing every timer that falls due, in order, and letting
   * the code woken by each run before the next fires.
   */
  async advance(ms: number): Promise<void> {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`steadfast: FakeClock.advance needs a finite number of ms >= 0; got ${String(ms)}`);
    }
    const target = this.time + ms;
    await this.settle();
    for (let next = this.timers[0]; next !== undefined && next.at <= target; next = this.timers[0]) {
      this.timers.shift();
      this.time = Math.max(this.time, next.at);
      next.resolve();
      await this.settle();
    }
    this.time = Math.max(this.time, target);
    await this.settle();
  }

  /**
   * Fires timers until none is left (including ones scheduled while running), and returns the
   * virtual time that passed. A sleep of `Infinity` never fires: it stays pending until aborted. Stops with an error after `maxTimers`, which catches a loop that
   * never ends (such as a poller that was not stopped).
   */
  async runAll(maxTimers = 100_000): Promise<number> {
    const start = this.time;
    await this.settle();
    for (let fired = 0; this.timers.length > 0 && (this.timers[0] as Timer).at !== Infinity; fired++) {
      if (fired >= maxTimers) throw new Error(`FakeClock.runAll: more than ${maxTimers} timers fired; is something looping forever?`);
      const next = this.timers.shift() as Timer;
      this.time = Math.max(this.time, next.at);
      next.resolve();
      await this.settle();
    }
    return this.time - start;
  }

  /** Lets pending promise callbacks and I/O callbacks run without moving virtual time. */
  async settle(): Promise<void> {
    await nextMacrotask();
  }

  private insert(timer: Timer): void {
    let i = this.timers.length;
    while (i > 0 && (this.timers[i - 1] as Timer).at > timer.at) i--;
    this.timers.splice(i, 0, timer);
  }

  private remove(timer: Timer): void {
    const i = this.timers.indexOf(timer);
    if (i >= 0) this.timers.splice(i, 1);
  }
}
