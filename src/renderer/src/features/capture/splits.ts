import type { FrameRange, FrameSplit } from '@shared/model/capture';

/** Splits as one byte per frame index, so a 10,000-frame capture's split is a 10 kB array that is cheap to copy. */
export const SPLIT_CODES: readonly FrameSplit[] = ['train', 'test', 'excluded'];
export const SPLIT_CODE: Record<FrameSplit, number> = { train: 0, test: 1, excluded: 2 };

export const SPLIT_LABEL: Record<FrameSplit, string> = { train: 'Train', test: 'Test', excluded: 'Excluded' };

/** Inclusive runs of consecutive indices, in order. */
export function toRanges(indices: Iterable<number>): FrameRange[] {
  const sorted = [...indices].sort((a, b) => a - b);
  const out: FrameRange[] = [];
  for (const i of sorted) {
    const last = out.at(-1);
    if (last && i <= last.to + 1) last.to = Math.max(last.to, i);
    else out.push({ from: i, to: i });
  }
  return out;
}

/**
 * What to send to make `current` equal `target`: for each split, the ranges of frames that must become it.
 * Consecutive frames that change to the same split are merged into one range.
 */
export function diffToRanges(current: Uint8Array, target: Uint8Array): Partial<Record<FrameSplit, FrameRange[]>> {
  const out: Partial<Record<FrameSplit, FrameRange[]>> = {};
  const n = Math.min(current.length, target.length);
  let i = 0;
  while (i < n) {
    if (current[i] === target[i]) {
      i++;
      continue;
    }
    const code = target[i];
    let j = i;
    while (j + 1 < n && target[j + 1] === code && current[j + 1] !== code) j++;
    const split = SPLIT_CODES[code] ?? 'train';
    (out[split] ??= []).push({ from: i, to: j });
    i = j + 1;
  }
  return out;
}

/** A copy of `splits` with the ranges set to `split`. */
export function withRanges(splits: Uint8Array, ranges: FrameRange[], split: FrameSplit): Uint8Array {
  const next = splits.slice();
  const code = SPLIT_CODE[split];
  for (const r of ranges) next.fill(code, Math.max(0, r.from), Math.min(next.length, r.to + 1));
  return next;
}

/** Runs of equal split, for drawing and for the e2e/api checks: [{from,to,split}]. */
export function splitRuns(splits: Uint8Array): Array<FrameRange & { split: FrameSplit }> {
  const out: Array<FrameRange & { split: FrameSplit }> = [];
  let i = 0;
  while (i < splits.length) {
    let j = i;
    while (j + 1 < splits.length && splits[j + 1] === splits[i]) j++;
    out.push({ from: i, to: j, split: SPLIT_CODES[splits[i]] ?? 'train' });
    i = j + 1;
  }
  return out;
}

export function countSplits(splits: Uint8Array): Record<FrameSplit, number> {
  const c = { train: 0, test: 0, excluded: 0 };
  for (const s of splits) c[SPLIT_CODES[s] ?? 'train']++;
  return c;
}

/** Chunks for setSplit, which takes at most 10,000 ranges per call. */
export function chunk<T>(list: T[], size = 10_000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
