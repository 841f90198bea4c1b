import { describe, expect, it } from 'vitest';
import { describeReport, runTarget, type FuzzTarget } from '../../../../bench/fuzz/targets/common';
import { flameEmbeddingTarget, flameNpzTarget, flamePklTarget } from '../../../../bench/fuzz/targets/flame';

/**
 * The FLAME readers under fuzzing (bench/fuzz/targets/flame.ts): every mutated file is loaded into a model that
 * evaluates, or refused with a PickleError / a foreseen FlameError (not one wrapping a TypeError or RangeError), with
 * no hang and no allocation for a declared size the file does not hold.
 */
describe('FLAME files under fuzzing', () => {
  const cases: [FuzzTarget, number][] = [[flamePklTarget, 0xf1a3e], [flameNpzTarget, 0xf1a3f], [flameEmbeddingTarget, 0xe3b]];
  for (const [target, seed] of cases)
    it(`${target.name}: ${target.about}`, async () => {
      const r = await runTarget(target, { seed });
      expect(r.crashes, describeReport(r)).toBe(0);
      expect(r.iterations).toBe(target.ciIterations);
      expect(r.typed).toBeGreaterThan(r.iterations / 4);
      expect(r.maxCaseMiB).toBeLessThan(64);
      expect(r.rssGrowthMiB).toBeLessThan(512);
    });
});
