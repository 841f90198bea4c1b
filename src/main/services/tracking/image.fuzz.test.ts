import { describe, expect, it } from 'vitest';
import { describeReport, runTarget } from '../../../../bench/fuzz/targets/common';
import { photoImageTarget } from '../../../../bench/fuzz/targets/images';

/** Photos, frames and masks under fuzzing (bench/fuzz/targets/images.ts): decoded consistently or refused with a StudioError BAD_REQUEST. */
describe('photos and frames under fuzzing', () => {
  it(photoImageTarget.about, async () => {
    const r = await runTarget(photoImageTarget, { seed: 0xf07 });
    expect(r.crashes, describeReport(r)).toBe(0);
    expect(r.iterations).toBe(photoImageTarget.ciIterations);
    expect(r.typed).toBeGreaterThan(r.iterations / 4);
    expect(r.maxCaseMiB).toBeLessThan(300);
    expect(r.rssGrowthMiB).toBeLessThan(512);
  });
});
