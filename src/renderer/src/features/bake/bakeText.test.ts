import { describe, expect, it } from 'vitest';
import { bakeFormError, formatChangeDb, versioned } from './bakeText';

describe('bake panel text', () => {
  it('checks the form', () => {
    expect(bakeFormError({ mapSize: 512, steps: 300 })).toBeNull();
    expect(bakeFormError({ mapSize: 300, steps: 300 })).toMatch(/256, 512, 1024/);
    expect(bakeFormError({ mapSize: 256, steps: -1 })).toMatch(/whole number/);
    expect(bakeFormError({ mapSize: 256, steps: NaN })).toMatch(/whole number/);
    expect(bakeFormError({ mapSize: 256, steps: 1.5 })).toMatch(/whole number/);
  });
  it('shows a drop as a negative change and versions file URLs', () => {
    expect(formatChangeDb(0.07)).toBe('−0.07 dB');
    expect(formatChangeDb(-0.12)).toBe('+0.12 dB');
    expect(versioned('/files/p/a.png?token=x', { bakedAt: 5 })).toBe('/files/p/a.png?token=x&v=5');
    expect(versioned('studio://files/p/a.png', { bakedAt: 5 })).toBe('studio://files/p/a.png?v=5');
  });
});
