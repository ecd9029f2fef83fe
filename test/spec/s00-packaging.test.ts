/**
 * SPEC Packaging: the entry points.
 * Conformance through the public entry points only ('steadfast', 'steadfast/testing',
 * 'steadfast/node'); each test quotes the SPEC sentence it pins.
 */
import { describe, expect, it } from 'vitest';
import * as core from 'steadfast';
import * as testing from 'steadfast/testing';
import * as nodeEntry from 'steadfast/node';

describe('SPEC Packaging: entry points', () => {
  it('steadfast exports the core names the SPEC fixes', () => {
    for (const name of [
      'parseDuration', 'exponential', 'constant', 'linear', 'schedule', 'delays', 'classify', 'isTransient',
      'parseRetryAfter', 'HttpError', 'withRetry', 'CircuitBreaker', 'BrokenCircuitError', 'BreakerRegistry',
      'RetryBudget', 'HealthCheck', 'httpProbe', 'ResilientClient', 'poll', 'pollDefaults', 'jsonLines',
      'textLines', 'systemClock',
    ]) {
      expect(core, name).toHaveProperty(name);
      expect((core as Record<string, unknown>)[name], name).toBeDefined();
    }
  });

  it('steadfast/testing has FakeClock, seededRandom, scriptedFetch, simulate', () => {
    for (const name of ['FakeClock', 'seededRandom', 'scriptedFetch', 'simulate']) expect(typeof (testing as Record<string, unknown>)[name], name).toBe('function');
  });

  it('steadfast/node has the file-backed Outbox with a static open()', () => {
    expect(typeof nodeEntry.Outbox).toBe('function');
    expect(typeof nodeEntry.Outbox.open).toBe('function');
  });

  it('the core entry does not export the Node-only Outbox', () => {
    expect(core).not.toHaveProperty('Outbox');
  });
});
