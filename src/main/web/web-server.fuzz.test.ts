import { describe, expect, it } from 'vitest';
import { describeReport, runTarget } from '../../../bench/fuzz/targets/common';
import { webEnvelopeTarget } from '../../../bench/fuzz/targets/web';

/**
 * The StudioApi envelope of web mode under fuzzing (bench/fuzz/targets/web.ts), on a real server: every mutated,
 * non-JSON, non-UTF-8, binary or oversized frame gets a typed error response (a valid ResponseMessage, not INTERNAL)
 * or is dropped by the socket; new connections keep being served; the library is unchanged.
 */
describe('web mode envelope under fuzzing', () => {
  it(webEnvelopeTarget.about, async () => {
    const r = await runTarget(webEnvelopeTarget, { seed: 0x3eb });
    expect(r.crashes, describeReport(r)).toBe(0);
    expect(r.iterations).toBe(webEnvelopeTarget.ciIterations);
    expect(r.rssGrowthMiB).toBeLessThan(512);
  });
});
