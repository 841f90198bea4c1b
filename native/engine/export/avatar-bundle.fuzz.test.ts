import { describe, expect, it } from 'vitest';
import { bundleReadTarget } from '../../../bench/fuzz/targets/bundle';
import { describeReport, runTarget } from '../../../bench/fuzz/targets/common';

/**
 * Avatar bundles under fuzzing (bench/fuzz/targets/bundle.ts): bytes, the manifest (absurd offsets, lengths, counts,
 * wrong types), section contents with the CRCs recomputed, and hostile section names (`../../x`, `/abs`,
 * `bake/../../x`, duplicates, non-strings). Every case is read into a bundle whose names are plain, or refused with an
 * AvatarBundleError.
 */
describe('avatar bundles under fuzzing', () => {
  it(bundleReadTarget.about, async () => {
    const r = await runTarget(bundleReadTarget, { seed: 0xb0d1e });
    expect(r.crashes, describeReport(r)).toBe(0);
    expect(r.iterations).toBe(bundleReadTarget.ciIterations);
    expect(r.typed).toBeGreaterThan(r.iterations / 4);
    expect(r.maxCaseMiB).toBeLessThan(128);
    expect(r.rssGrowthMiB).toBeLessThan(512);
  });
});
