import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StudioError } from '@shared/api/errors';
import { byteMutators, caseSeed, crashSignature, fuzz, generateCase, jsonMutators, Rng } from './fuzz';

/** The fuzz harness itself: reproducible cases, the three outcomes, the time and memory bounds, the hang watchdog. */
describe('fuzz harness', () => {
  const seeds = [new TextEncoder().encode('{"a":[1,2,3],"b":{"c":"d"}}')];

  it('rebuilds any case from its seed alone, and different seeds give different cases', () => {
    const mutators = [...byteMutators(), ...jsonMutators()];
    const a = generateCase(seeds, mutators, caseSeed(7, 3));
    const b = generateCase(seeds, mutators, caseSeed(7, 3));
    expect(Buffer.from(a.input).equals(Buffer.from(b.input))).toBe(true);
    expect(a.mutation).toBe(b.mutation);
    const distinct = new Set(Array.from({ length: 50 }, (_, i) => Buffer.from(generateCase(seeds, mutators, caseSeed(7, i)).input).toString('hex')));
    expect(distinct.size).toBeGreaterThan(40);
    expect(new Rng(1).u32()).toBe(new Rng(1).u32());
  });

  it('classifies ok / typed / crash, and flags slow cases, memory-hungry cases and broken invariants', async () => {
    let n = 0;
    const r = await fuzz('demo', seeds, (b) => {
      const k = n++ % 6;
      if (k === 1) throw new StudioError('BAD_REQUEST', 'refused');
      if (k === 2) throw new TypeError('boom');
      if (k === 3) { const t = performance.now(); while (performance.now() - t < 30); }
      if (k === 4) return new Uint8Array(80 * 1024 * 1024).length; // 80 MiB of ArrayBuffer for a 27-byte input
      return b.length;
    }, { iterations: 12, seed: 1, maxCaseMs: 20, maxCaseMiB: 40, check: (v) => { if (v === -1) throw new Error('never'); } });
    expect(r).toMatchObject({ iterations: 12, typed: 2, crashes: 6, ok: 4 });
    expect(new Set(r.crashCases.map((c) => c.kind))).toEqual(new Set(['exception', 'slow', 'memory']));
    expect(r.distinctCrashes.map((d) => d.signature)).toEqual(expect.arrayContaining([expect.stringMatching(/^exception: TypeError: boom/), expect.stringMatching(/^slow: took # ms/)]));
    expect(crashSignature({ kind: 'check', error: 'lost its extension — safeFileName("a\\tb") = "x"' })).toBe('check: lost its extension');
  });

  it('a parser that never returns is killed by the watchdog with its reproducer on stderr', () => {
    const harness = fileURLToPath(new URL('./fuzz.ts', import.meta.url));
    const code = `import { fuzz } from ${JSON.stringify(harness)}; await fuzz('stuck', [new Uint8Array(8)], () => { for (;;); }, { iterations: 3, seed: 5, hangMs: 500 });`;
    const t0 = Date.now();
    const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
    expect(res.signal).toBe('SIGKILL');
    expect(res.stderr).toMatch(/FUZZ HANG stuck case 0 seed \d+ seed#0: .* \(no return after \d+ ms\)/);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });
});
