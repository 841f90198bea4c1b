/**
 * The engine-host conformance cases: the same checks run against every EngineHost — the Node host in Vitest
 * (node-engine-host.test.ts) and the Chromium host in Debian's Chromium (e2e/electron/chromium-engine-host.spec.ts),
 * and in Electron where its binary exists (e2e/electron/engine-host.spec.ts). Plain `node:assert`, so any runner
 * can call them. Ground truth is the CPU reference renderer (reference/forward.ts).
 */
import assert from 'node:assert/strict';
import { renderReference } from '../reference/forward';
import { PROOF, proofCamera, proofScene } from '../viewport-proof/proof-scene';
import type { EngineHost } from './engine-host';
import type { RenderedImage, SceneData } from './protocol';

/** Tolerance against the CPU reference: the viewport proof's (same maths, different shader compilers and exp()). */
export const TOLERANCE = { minPsnr: 40, maxAbs: 0.02 };

export function proofSceneData(): SceneData {
  return { ...proofScene(), shDegree: PROOF.shDegree };
}

export function compareImages(a: ArrayLike<number>, b: ArrayLike<number>): { psnr: number; maxAbs: number } {
  assert.equal(a.length, b.length, 'image sizes differ');
  let se = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    se += d * d;
    max = Math.max(max, Number.isNaN(d) ? Infinity : d);
  }
  const mse = se / a.length;
  return { psnr: mse === 0 ? Infinity : 10 * Math.log10(1 / mse), maxAbs: max };
}

let reference: ReturnType<typeof renderReference> | null = null;
export function proofReference() {
  reference ??= renderReference({ ...proofScene(), shDegree: PROOF.shDegree }, proofCamera(), { background: PROOF.background });
  return reference;
}

function assertMatchesReference(img: RenderedImage, label: string): void {
  const ref = proofReference();
  assert.equal(img.width, PROOF.width);
  assert.equal(img.height, PROOF.height);
  assert.ok(img.rgb instanceof Float32Array, `${label}: rgb is a Float32Array`);
  assert.ok(img.alpha instanceof Float32Array, `${label}: alpha is a Float32Array`);
  const rgb = compareImages(img.rgb, ref.rgb);
  const alpha = compareImages(img.alpha, ref.alpha);
  assert.ok(rgb.psnr >= TOLERANCE.minPsnr, `${label}: rgb PSNR ${rgb.psnr.toFixed(1)} dB < ${TOLERANCE.minPsnr}`);
  assert.ok(rgb.maxAbs <= TOLERANCE.maxAbs, `${label}: rgb max |Δ| ${rgb.maxAbs} > ${TOLERANCE.maxAbs}`);
  assert.ok(alpha.maxAbs <= TOLERANCE.maxAbs, `${label}: alpha max |Δ| ${alpha.maxAbs} > ${TOLERANCE.maxAbs}`);
  // Not blank: enough pixels are covered for the comparison to mean something.
  assert.ok(ref.alpha.filter((a) => a > 0.5).length > PROOF.width * PROOF.height * 0.2);
}

async function rejectsWith(p: Promise<unknown>, name: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, `error name (message: ${e.message})`);
    assert.match(e.message, pattern);
    return true;
  });
}

export interface ConformanceCase {
  name: string;
  run(host: EngineHost): Promise<void>;
}

export const conformanceCases: ConformanceCase[] = [
  {
    name: 'start reports the adapter and the kernel variants',
    async run(host) {
      const info = await host.start();
      assert.equal(typeof info.adapter.vendor, 'string');
      assert.equal(typeof info.adapter.backend, 'string');
      assert.ok(info.adapter.vendor || info.adapter.description || info.adapter.architecture, 'adapter has a name');
      assert.ok(['core', 'compatibility'].includes(info.adapter.featureLevel));
      assert.ok(['direct', 'shared', 'rows'].includes(info.rasterMode));
      assert.ok(['serial', 'parallel'].includes(info.scanSortMode));
      assert.ok(info.limits.maxStorageBufferBindingSize >= 128 * 1024 * 1024);
      // start is idempotent: same device.
      assert.deepEqual((await host.start()).adapter, info.adapter);
    },
  },
  {
    name: 'render by value matches the CPU reference',
    async run(host) {
      const img = await host.render(proofSceneData(), proofCamera(), { background: PROOF.background });
      assertMatchesReference(img, 'by value');
      assert.equal(img.depth, undefined);
      assert.equal(img.rgba8, undefined);
      assert.ok(img.ms > 0);
    },
  },
  {
    name: 'a loaded scene renders like the same scene by value, and is gone after disposeScene',
    async run(host) {
      const handle = await host.loadScene(proofSceneData());
      assert.equal(handle.count, PROOF.count);
      const byHandle = await host.render(handle, proofCamera(), { background: PROOF.background });
      const byValue = await host.render(proofSceneData(), proofCamera(), { background: PROOF.background });
      assertMatchesReference(byHandle, 'by handle');
      assert.deepEqual(byHandle.rgb, byValue.rgb);
      assert.deepEqual(byHandle.alpha, byValue.alpha);
      await host.disposeScene(handle);
      await rejectsWith(host.render(handle, proofCamera()), 'RangeError', /No scene/);
    },
  },
  {
    name: 'rgba8 and depth outputs agree with the float images',
    async run(host) {
      const img = await host.render(proofSceneData(), proofCamera(), { background: PROOF.background, outputs: ['rgb', 'alpha', 'depth', 'rgba8'] });
      const ref = proofReference();
      assert.ok(img.rgba8 instanceof Uint8Array && img.rgba8.length === PROOF.width * PROOF.height * 4);
      assert.ok(img.depth instanceof Float32Array && img.depth.length === PROOF.width * PROOF.height);
      for (let p = 0; p < PROOF.width * PROOF.height; p++) {
        for (let c = 0; c < 3; c++) assert.ok(Math.abs(img.rgba8[p * 4 + c]! - Math.round(Math.min(1, Math.max(0, img.rgb![p * 3 + c]!)) * 255)) <= 0, 'rgba8 = quantised rgb');
        assert.equal(img.rgba8[p * 4 + 3], Math.round(Math.min(1, Math.max(0, img.alpha![p]!)) * 255));
      }
      // Depth against the reference where the pixel is well covered.
      let bad = 0;
      let covered = 0;
      for (let p = 0; p < ref.depth.length; p++) {
        if (ref.alpha[p]! < 0.5) continue;
        covered++;
        if (Math.abs(img.depth[p]! - ref.depth[p]!) > 1e-2 * Math.max(1, Math.abs(ref.depth[p]!))) bad++;
      }
      assert.ok(covered > 0 && bad / covered < 0.01, `depth: ${bad}/${covered} pixels off`);
      // Only rgba8 asked: floats are not sent.
      const small = await host.render(proofSceneData(), proofCamera(), { outputs: ['rgba8'] });
      assert.equal(small.rgb, undefined);
      assert.ok(small.rgba8 instanceof Uint8Array);
    },
  },
  {
    name: 'bad requests get typed errors and the engine keeps serving',
    async run(host) {
      const cam = proofCamera();
      await rejectsWith(host.render(proofSceneData(), { ...cam, fx: -1 }), 'RangeError', /focal/);
      await rejectsWith(host.render(proofSceneData(), { ...cam, width: 0 }), 'RangeError', /image size/);
      const short = { ...proofSceneData(), means: new Float32Array(3) };
      await rejectsWith(host.render(short, cam), 'RangeError', /means/);
      await rejectsWith(host.render(proofSceneData(), cam, { outputs: ['png' as never] }), 'RangeError', /output/);
      const img = await host.render(proofSceneData(), cam, { background: PROOF.background });
      assertMatchesReference(img, 'after errors');
    },
  },
  {
    name: 'concurrent requests are answered, each with its own result',
    async run(host) {
      const cam = proofCamera();
      const backgrounds: [number, number, number][] = [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ];
      const imgs = await Promise.all(backgrounds.map((background) => host.render(proofSceneData(), cam, { background })));
      // The least covered pixel shows mostly background, so its colour tells which request an image belongs to.
      const ref = proofReference();
      let p = 0;
      for (let i = 1; i < ref.alpha.length; i++) if (ref.alpha[i]! < ref.alpha[p]!) p = i;
      assert.ok(ref.alpha[p]! < 0.5, 'the proof scene leaves some background visible');
      imgs.forEach((img, i) => {
        const px = [img.rgb![p * 3]!, img.rgb![p * 3 + 1]!, img.rgb![p * 3 + 2]!];
        const dominant = [0, 1, 2].reduce((best, c) => (px[c]! > px[best]! ? c : best), 0);
        assert.equal(dominant, i, `request ${i}: pixel ${p} takes its own background (${px.map((v) => v.toFixed(3)).join(', ')})`);
      });
    },
  },
];
