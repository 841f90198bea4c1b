import { StudioError } from '@shared/api/errors';

/** What a numeric flag accepts: whole numbers only, bounds (inclusive), or strictly above a value (`above: 0` = positive). */
export interface NumberFlagRange {
  int?: boolean;
  min?: number;
  max?: number;
  above?: number;
}

/**
 * A numeric command-line flag, parsed and checked so a bad value is refused naming the flag and what it takes
 * (“--levels must be a whole number from 1 to 6, not “x”.”). Absent stays absent (the default applies).
 */
export function numberFlag(flag: string, value: unknown, range: NumberFlagRange = {}): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const n = text === '' ? NaN : Number(text);
  const { int, min, max, above } = range;
  const ok = Number.isFinite(n) && (!int || Number.isInteger(n)) && (min === undefined || n >= min) && (max === undefined || n <= max) && (above === undefined || n > above);
  if (!ok) throw new StudioError('BAD_REQUEST', `--${flag} must be ${describeRange(range)}, not “${String(value)}”.`);
  return n;
}

function describeRange({ int, min, max, above }: NumberFlagRange): string {
  const kind = int ? 'a whole number' : 'a number';
  if (above === 0 && min === undefined && max === undefined) return int ? 'a positive whole number' : 'a positive number';
  const lower = min !== undefined ? (max !== undefined ? ` from ${min}` : ` ≥ ${min}`) : above !== undefined ? ` above ${above}` : '';
  const upper = max !== undefined ? (min !== undefined ? ` to ${max}` : ` ≤ ${max}`) : '';
  return `${kind}${lower}${upper}`;
}
