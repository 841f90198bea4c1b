import { describe, expect, it } from 'vitest';
import { bundleImportTarget } from '../../../../bench/fuzz/targets/bundle';
import { describeReport, runTarget } from '../../../../bench/fuzz/targets/common';

/**
 * `avatars.import` under fuzzing (bench/fuzz/targets/bundle.ts): mutated and hostile bundles imported into a temporary
 * library. A refused import leaves no file, folder or avatar row (anywhere under the folder holding the library — an
 * escaping name would show); a successful one adds exactly its avatar's folder and row; the database stays intact.
 */
describe('avatar import under fuzzing', () => {
  it(bundleImportTarget.about, async () => {
    const r = await runTarget(bundleImportTarget, { seed: 0x1a7 });
    expect(r.crashes, describeReport(r)).toBe(0);
    expect(r.iterations).toBe(bundleImportTarget.ciIterations);
    expect(r.rssGrowthMiB).toBeLessThan(512);
  });
});
