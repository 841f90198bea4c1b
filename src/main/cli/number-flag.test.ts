import { describe, expect, it } from 'vitest';
import { numberFlag } from './number-flag';

describe('numberFlag', () => {
  it('parses within the range and leaves an absent flag absent', () => {
    expect(numberFlag('levels', '4', { int: true, min: 1, max: 6 })).toBe(4);
    expect(numberFlag('intensity', ' 0.5 ', { min: 0, max: 3 })).toBe(0.5);
    expect(numberFlag('fps', undefined, { above: 0 })).toBeUndefined();
  });
  it('refuses with the flag and what it takes', () => {
    const message = (v: string, r: Parameters<typeof numberFlag>[2]) => { try { numberFlag('x', v, r); return ''; } catch (e) { return (e as Error).message; } };
    expect(message('7', { int: true, min: 1, max: 6 })).toBe('--x must be a whole number from 1 to 6, not “7”.');
    expect(message('1.5', { int: true, min: 0 })).toBe('--x must be a whole number ≥ 0, not “1.5”.');
    expect(message('0', { above: 0 })).toBe('--x must be a positive number, not “0”.');
    expect(message('', {})).toBe('--x must be a number, not “”.');
    expect(message('many', { max: 3 })).toBe('--x must be a number ≤ 3, not “many”.');
    expect(message('Infinity', {})).toMatch(/must be a number/);
  });
});
