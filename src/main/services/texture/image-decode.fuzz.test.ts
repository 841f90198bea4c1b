import { describe, expect, it } from 'vitest';
import { describeReport, runTarget } from '../../../../bench/fuzz/targets/common';
import { stickerImageTarget } from '../../../../bench/fuzz/targets/images';

/**
 * Sticker and map images under fuzzing (bench/fuzz/targets/images.ts): every mutated PNG / JPEG / SVG decodes to a
 * consistent RGBA image within the size limits or is refused with a StudioError BAD_REQUEST; no hang; a declared size
 * the file cannot hold is refused before decoding; resvg still renders a valid SVG afterwards.
 */
describe('sticker images under fuzzing', () => {
  it(stickerImageTarget.about, async () => {
    const r = await runTarget(stickerImageTarget, { seed: 0x571c4 });
    expect(r.crashes, describeReport(r)).toBe(0);
    expect(r.iterations).toBe(stickerImageTarget.ciIterations);
    expect(r.typed).toBeGreaterThan(r.iterations / 4);
    expect(r.maxCaseMiB).toBeLessThan(600);
    expect(r.rssGrowthMiB).toBeLessThan(512);
  });
});
