import { describe, expect, it } from 'vitest';
import { formatBytes, formatEta, formatPercent, formatRelativeTime, plural } from './format';

describe('format', () => {
  it('sizes', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(2.3 * 1024 * 1024)).toBe('2.3 MB');
    expect(formatBytes(50 * 1024 ** 3)).toBe('50 GB');
  });
  it('remaining time', () => {
    expect(formatEta(null)).toBeNull();
    expect(formatEta(-1)).toBeNull();
    expect(formatEta(3)).toBe('a few seconds left');
    expect(formatEta(42)).toBe('42 s left');
    expect(formatEta(180)).toBe('about 3 min left');
    expect(formatEta(3600 + 20 * 60)).toBe('about 1 h 20 min left');
    expect(formatEta(7200)).toBe('about 2 h left');
  });
  it('relative times and counts', () => {
    const now = Date.UTC(2026, 0, 10, 12);
    expect(formatRelativeTime(now - 10_000, now)).toBe('just now');
    expect(formatRelativeTime(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatRelativeTime(now - 3 * 3600_000, now)).toBe('3 h ago');
    expect(formatRelativeTime(now - 26 * 3600_000, now)).toBe('yesterday');
    expect(formatPercent(0.424)).toBe('42%');
    expect(formatPercent(1.2)).toBe('100%');
    expect(plural(1, 'project')).toBe('1 project');
    expect(plural(3, 'project')).toBe('3 projects');
  });
});
