import { describe, expect, it } from 'vitest';
import { RollingRate, RollingStat } from './metrics';

describe('live metrics', () => {
  it('counts a rate over the window and keeps median / percentiles', () => {
    const r = new RollingRate(1000);
    expect(r.rate(0)).toBeNull();
    for (let t = 0; t <= 1000; t += 100) r.tick(t);
    expect(r.rate(1000)).toBeCloseTo(10);
    expect(r.rate(5000)).toBeNull();
    const s = new RollingStat(5);
    for (const v of [5, 1, 4, 2, 3, 100]) s.add(v);
    expect(s.last).toBe(100);
    expect(s.median).toBe(3);
    expect(s.percentile(95)).toBe(100);
  });
});
