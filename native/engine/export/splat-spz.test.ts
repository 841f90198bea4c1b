import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { finiteSplats, type SplatCloud } from './splat-cloud';
import { SPZ_MAGIC, writeSplatSpz } from './splat-spz';

/**
 * The package's builds stub out `node:module` for bundlers, so its Node branch fails; with `process.type =
 * 'renderer'` (what Electron's renderer reports) it takes its browser branch, whose WebAssembly is inlined.
 */
async function loadWithReferenceDecoder(bytes: Uint8Array) {
  const { loadSpz } = createRequire(import.meta.url)(path.resolve('node_modules/@spz-loader/core/dist/index.umd.cjs')) as typeof import('@spz-loader/core');
  const proc = process as NodeJS.Process & { type?: string };
  const before = proc.type;
  proc.type = 'renderer';
  try {
    // colorScaleFactor 1: colours come back as DC + 0.5 (the default 0.282 gives display RGB)
    return await loadSpz(bytes, { colorScaleFactor: 1 });
  } finally {
    proc.type = before;
  }
}

/** A seeded cloud: positions within ±0.3 m, log-scales −7…−3, random rotations, opacity logits ±4, SH degree 2. */
function cloud(n: number, shDegree: number): SplatCloud {
  let s = 12345;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  const K = (shDegree + 1) ** 2;
  const c: SplatCloud = {
    count: n,
    shDegree,
    means: Array.from({ length: n * 3 }, () => (rnd() - 0.5) * 0.6),
    logScales: Array.from({ length: n * 3 }, () => -7 + 4 * rnd()),
    rotations: Array.from({ length: n * 4 }, () => rnd() * 2 - 1),
    opacities: Array.from({ length: n }, () => (rnd() - 0.5) * 8),
    sh: Array.from({ length: n * K * 3 }, (_, j) => (j % (K * 3) < 3 ? (rnd() - 0.5) * 4 : (rnd() - 0.5) * 0.8)),
  };
  return finiteSplats(c);
}

describe('.spz writer', () => {
  it("is read by Niantic's own decoder (npm @spz-loader/core, the reference C++ in WebAssembly) with the values within their quantisation", async () => {
    const n = 500, degree = 2, K = 9;
    const c = cloud(n, degree);
    const bytes = writeSplatSpz(c);
    const raw = gunzipSync(bytes);
    expect(new DataView(raw.buffer, raw.byteOffset).getUint32(0, true)).toBe(SPZ_MAGIC);
    const g = await loadWithReferenceDecoder(bytes);
    expect(g.numPoints).toBe(n);
    expect(g.shDegree).toBe(degree);
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    const worst = { pos: 0, alpha: 0, colour: 0, scale: 0, rot: 0, sh: 0 };
    let rotSum = 0;
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < 3; a++) {
        worst.pos = Math.max(worst.pos, Math.abs(g.positions[i * 3 + a]! - Number(c.means[i * 3 + a])));
        worst.scale = Math.max(worst.scale, Math.abs(Math.log(g.scales[i * 3 + a]!) - Number(c.logScales[i * 3 + a]))); // linear σ back
        worst.colour = Math.max(worst.colour, Math.abs(g.colors[i * 3 + a]! - 0.5 - Number(c.sh[i * K * 3 + a])));
      }
      // the decoder hands alpha back activated (0…1)
      worst.alpha = Math.max(worst.alpha, Math.abs(g.alphas[i]! - sigmoid(Number(c.opacities[i]))));
      // loader quaternions are (x, y, z, w); the same rotation up to sign
      const q = [1, 2, 3, 0].map((a) => Number(c.rotations[i * 4 + a]));
      const dot = Math.abs(q.reduce((s, v, a) => s + v * g.rotations[i * 4 + a]!, 0));
      worst.rot = Math.max(worst.rot, 1 - dot);
      rotSum += 2 * Math.acos(Math.min(1, dot));
      for (let k = 1; k < K; k++)
        for (let ch = 0; ch < 3; ch++) worst.sh = Math.max(worst.sh, Math.abs(g.sh[(i * (K - 1) + k - 1) * 3 + ch]! - Number(c.sh[(i * K + k) * 3 + ch])));
    }
    console.log(`spz: ${bytes.length} bytes for ${n} Gaussians (SH ${degree}); mean rotation error ${((rotSum / n) * 180 / Math.PI).toFixed(2)}°`, worst);
    expect(worst.pos).toBeLessThan(0.5 / 4096 + 1e-6); // half a fixed-point step
    expect(worst.alpha).toBeLessThan(0.5 / 255 + 1e-6);
    expect(worst.colour).toBeLessThan(0.5 / (0.15 * 255) + 1e-4);
    expect(worst.scale).toBeLessThan(0.5 / 16 + 1e-6);
    // version 2 keeps x, y, z in 8 bits and derives w, so rotations near w = 0 lose most (version 3's smallest-three
    // encoding would fix that): measured mean 0.93°, worst 1 − |q·q'| 0.0031 (≈ 9°) over these 500 random rotations
    expect(rotSum / n).toBeLessThan((1.5 * Math.PI) / 180);
    expect(worst.rot).toBeLessThan(5e-3);
    expect(worst.sh).toBeLessThan(8.5 / 128 + 1e-6); // degree 2 snapped to buckets of 16 levels
    // smaller than the uncompressed .ply of the same cloud (4 bytes × (3+3+3+1+4+27) per Gaussian)
    expect(bytes.length).toBeLessThan(n * 41 * 4 / 3);
  });

  it('refuses SH degree 4 and positions beyond its fixed-point range', () => {
    expect(() => writeSplatSpz({ ...cloud(2, 0), shDegree: 4 })).toThrow(/degrees 0 to 3/);
    const far = cloud(2, 0);
    expect(() => writeSplatSpz({ ...far, means: [5000, 0, 0, 0, 0, 0] })).toThrow(/beyond SPZ/);
  });
});
