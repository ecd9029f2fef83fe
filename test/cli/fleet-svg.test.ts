import { describe, expect, it } from 'vitest';
import { exponential } from '../../src/core/backoff.js';
import { simulateFleet } from '../../src/cli/fleet.js';
import { renderFleetSvg } from '../../src/cli/fleet-svg.js';

const base = { agents: 500, capacity: 100, outage: '30s', horizon: '5m', failures: 'simultaneous' } as const;
const results = [
  await simulateFleet(base),
  await simulateFleet({ ...base, policy: { name: 'a <b> & "c"', poll: { backoff: exponential({ initial: '1s', max: '30s', jitter: 'none' }), jitter: 0 } } }),
];

describe('renderFleetSvg', () => {
  const svg = renderFleetSvg(results, { untilSeconds: 120 });

  it('draws one polyline per policy, one point per second', () => {
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)];
    expect(lines).toHaveLength(2);
    expect((lines[0]?.[1] ?? '').split(' ')).toHaveLength(120);
  });

  it('draws the capacity line, the server-up marker, both axes and a legend with escaped names', () => {
    expect(svg).toContain('capacity 100/s');
    expect(svg).toContain('server up');
    expect(svg).toContain('time since the outage began (s)');
    expect(svg).toContain('requests arriving per second');
    expect(svg).toContain('>default</text>');
    expect(svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('scales the y axis to the busiest second, never below capacity', () => {
    const peak = Math.max(...results.flatMap((r) => [...r.offered.slice(0, 120)]));
    const top = Math.max(...[...svg.matchAll(/text-anchor="end">(\d+)</g)].map((m) => Number(m[1])));
    expect(top).toBeGreaterThanOrEqual(Math.min(peak, 100));
    expect(svg).toMatch(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="800" height="400"/);
  });

  it('refuses to draw nothing', () => {
    expect(() => renderFleetSvg([])).toThrow(RangeError);
  });
});
