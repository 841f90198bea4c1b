import { describe, expect, it } from 'vitest';
import { hueOf, initialsOf } from './placeholder';
import { matchesQuery } from './search';

describe('search', () => {
  it('matches every word, ignoring case and accents', () => {
    expect(matchesQuery('Chloé studio session', '')).toBe(true);
    expect(matchesQuery('Chloé studio session', 'chloe')).toBe(true);
    expect(matchesQuery('Chloé studio session', 'SESSION chl')).toBe(true);
    expect(matchesQuery('Chloé studio session', 'chloe outdoor')).toBe(false);
  });
});

describe('placeholder thumbnails', () => {
  it('initials from the first two words, skipping punctuation', () => {
    expect(initialsOf('Anna – studio session')).toBe('AS');
    expect(initialsOf('eve')).toBe('EV');
    expect(initialsOf('  ')).toBe('?');
    expect(initialsOf('Élodie_take-2')).toBe('ÉT');
  });
  it('a stable hue per id', () => {
    const id = '0123456789abcdef0123456789abcdef';
    expect(hueOf(id)).toBe(hueOf(id));
    expect(hueOf(id)).toBeGreaterThanOrEqual(0);
    expect(hueOf(id)).toBeLessThan(360);
    expect(hueOf(id)).not.toBe(hueOf('fedcba9876543210fedcba9876543210'));
  });
});
