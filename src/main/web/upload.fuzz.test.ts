import { describe, expect, it } from 'vitest';
import { describeReport, runTarget } from '../../../bench/fuzz/targets/common';
import { uploadHttpTarget, uploadNameTarget } from '../../../bench/fuzz/targets/web';

/**
 * Web uploads under fuzzing (bench/fuzz/targets/web.ts): hostile names (long non-Latin, leading dots, `..`, slashes,
 * NUL and control characters, bidi overrides, 300 emoji) give a stored name that is plain, ≤ 255 bytes of UTF-8 and
 * keeps its extension; through a real server, uploads land in `<library>/uploads/<id>/`, aborted bodies leave
 * nothing, and the server keeps serving.
 */
describe('web uploads under fuzzing', () => {
  it(uploadNameTarget.about, async () => {
    const r = await runTarget(uploadNameTarget, { seed: 0x5afe });
    expect(r.crashes, describeReport(r)).toBe(0);
    expect(r.iterations).toBe(uploadNameTarget.ciIterations);
  });

  it(uploadHttpTarget.about, async () => {
    const r = await runTarget(uploadHttpTarget, { seed: 0x7e1 });
    expect(r.crashes, describeReport(r)).toBe(0);
    expect(r.iterations).toBe(uploadHttpTarget.ciIterations);
    expect(r.rssGrowthMiB).toBeLessThan(512);
  });
});
