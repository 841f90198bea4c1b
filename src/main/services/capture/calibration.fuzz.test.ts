import { describe, expect, it } from 'vitest';
import { calibrationTarget } from '../../../../bench/fuzz/targets/calibration';
import { runTarget } from '../../../../bench/fuzz/targets/common';
import { formatCrashes } from '../../testing/fuzz';

describe('calibration files under fuzzing', () => {
  it('every mutated file is parsed into sane numbers or refused with a StudioError; no hang, bounded memory', async () => {
    const r = await runTarget(calibrationTarget, { seed: 0xca11b });
    expect(r.crashes, formatCrashes(r)).toBe(0);
    expect(r.iterations).toBe(calibrationTarget.ciIterations);
    expect(r.typed).toBeGreaterThan(r.iterations / 4); // the mutations do reach the checks
    expect(r.maxCaseMiB).toBeLessThan(64);
    expect(r.rssGrowthMiB).toBeLessThan(512);
  });
});
