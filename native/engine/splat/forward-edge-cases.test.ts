import { describe, expect, it } from 'vitest';
import { CapacityError, DeviceLostError } from '../gpu/errors';
import { createNodeDevice } from '../gpu/node-device';
import { testDevice } from '../gpu/test-device';
import { lookAt, makeCamera } from '../reference/camera';
import { renderReference } from '../reference/forward';
import { randomScene, testCamera } from '../reference/test-scenes';
import type { RefScene } from '../reference/types';
import type { Camera } from './camera';
import { ForwardRenderer, readCounters } from './forward';
import { readForwardImages, readPixelsRgba } from './images';
import { GaussianScene, type GaussianData, type ShDegree } from './scene';

const gpu = await testDevice();

function toData(s: RefScene): GaussianData {
  return {
    count: s.count,
    means: Float32Array.from(s.means),
    logScales: Float32Array.from(s.logScales),
    rotations: Float32Array.from(s.rotations),
    opacities: Float32Array.from(s.opacities),
    sh: Float32Array.from(s.sh),
    ...(s.features && (s.featureDim ?? 0) > 0 ? { features: Float32Array.from(s.features) } : {}),
  };
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}

function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** One Gaussian at `mean`, isotropic scale, opacity logit, DC colour. */
function single(mean: [number, number, number], logScale: number, logit = 2, dc: [number, number, number] = [1, 0.5, 0]): GaussianData {
  return {
    count: 1,
    means: new Float32Array(mean),
    logScales: new Float32Array([logScale, logScale, logScale]),
    rotations: new Float32Array([1, 0, 0, 0]),
    opacities: new Float32Array([logit]),
    sh: new Float32Array(dc),
  };
}

describe.skipIf(!gpu.device)('forward renderer: bad inputs and edge cases', () => {
  const device = () => gpu.device!;
  let renderer: ForwardRenderer;
  const getRenderer = () => (renderer ??= new ForwardRenderer(device()));
  const cam32 = testCamera([0, 0, -4], 32, 0.9);

  async function renderBoth(ref: RefScene, cam: Camera, deg: ShDegree, options: { background?: [number, number, number] } = {}) {
    const scene = GaussianScene.fromData(device(), toData(ref), { shDegree: deg, featureDim: ref.featureDim ?? 0 });
    const state = await getRenderer().render(scene, cam, options);
    const img = await readForwardImages(device(), state);
    scene.destroy();
    expect(gpu.engine!.takeErrors()).toEqual([]);
    return { img, expected: renderReference(ref, cam, options), state };
  }

  it('culls Gaussians with NaN/Inf parameters and leaves the rest intact', async () => {
    const ref = randomScene(21, 120, 2);
    const bad = { ...ref, means: Float32Array.from(ref.means), logScales: Float32Array.from(ref.logScales),
      rotations: Float32Array.from(ref.rotations), opacities: Float32Array.from(ref.opacities), sh: Float32Array.from(ref.sh) };
    const K = 9;
    bad.means[0] = NaN;
    bad.means[3 * 5 + 2] = Infinity;
    bad.logScales[3 * 7] = NaN;
    bad.rotations[4 * 9 + 1] = -Infinity;
    bad.opacities[11] = NaN;
    bad.sh[13 * K * 3 + 4] = Infinity;
    bad.logScales[3 * 15 + 1] = -Infinity; // zero scale: log σ = −∞
    bad.logScales[3 * 17] = 80; // σ = e^80: covariance overflows f32
    bad.rotations.fill(0, 4 * 19, 4 * 20); // zero quaternion → identity
    const { img, expected } = await renderBoth(bad, cam32, 2);
    expect(allFinite(img.rgb) && allFinite(img.alpha) && allFinite(img.depth)).toBe(true);
    expect(maxAbs(img.rgb, expected.rgb)).toBeLessThan(2e-3);
    expect(maxAbs(img.alpha, expected.alpha)).toBeLessThan(2e-3);
  });

  it('renders tiny and huge-but-finite scales without NaN', async () => {
    const ref = randomScene(22, 60, 0);
    const ls = Float32Array.from(ref.logScales);
    for (let i = 0; i < 20; i++) ls[i * 3] = -60; // far below a pixel: the 0.3 px² dilation keeps it
    for (let i = 20; i < 23; i++) ls.fill(3, i * 3, i * 3 + 3); // σ = 20 world units, covers the image
    const { img, expected } = await renderBoth({ ...ref, logScales: ls }, cam32, 0);
    expect(allFinite(img.rgb)).toBe(true);
    expect(maxAbs(img.rgb, expected.rgb)).toBeLessThan(2e-3);
  });

  it('an empty scene gives the background, alpha 0, depth 0', async () => {
    const scene = GaussianScene.create(device(), { capacity: 8, shDegree: 0 });
    const state = await getRenderer().render(scene, cam32, { background: [0.25, 0.5, 0.75] });
    const img = await readForwardImages(device(), state);
    for (let p = 0; p < 32 * 32; p++) {
      expect([...img.rgb.subarray(p * 3, p * 3 + 3)]).toEqual([0.25, 0.5, 0.75]);
      expect(img.alpha[p]).toBe(0);
      expect(img.depth[p]).toBe(0);
      expect(img.finalT[p]).toBe(1);
    }
    expect((await readCounters(device(), state)).intersections).toBe(0);
    scene.destroy();
  });

  it('Gaussians behind the camera or before the near plane render nothing', async () => {
    const ref = randomScene(23, 200, 1);
    const means = Float32Array.from(ref.means);
    for (let i = 0; i < ref.count; i++) means[i * 3 + 2] = -4.5 - Math.abs(means[i * 3 + 2]); // camera at z=−4 looks +z
    means[2] = -4 + 0.005; // inside the near plane (z_cam = 0.005 < 0.01)
    const { img, state } = await renderBoth({ ...ref, means }, cam32, 1);
    expect(img.alpha.every((a) => a === 0)).toBe(true);
    expect((await readCounters(device(), state)).intersections).toBe(0);
  });

  it('renders a 1×1 image', async () => {
    const cam = makeCamera(1, 1, 0.9, lookAt([0, 0, -4], [0, 0, 0]));
    const { img, expected } = await renderBoth(randomScene(24, 50, 3), cam, 3);
    expect(maxAbs(img.rgb, expected.rgb)).toBeLessThan(1e-3);
    expect(img.alpha[0]).toBeGreaterThan(0);
  });

  it('renders a background image and honours a lower active SH degree', async () => {
    const ref = randomScene(25, 150, 3);
    const bg = Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => (i % 7) / 7);
    const scene = GaussianScene.fromData(device(), toData(ref), { shDegree: 3 });
    const state = await getRenderer().render(scene, cam32, { background: bg, shDegree: 1 });
    const img = await readForwardImages(device(), state);
    const ref1: RefScene = { ...ref, shDegree: 1, sh: Float32Array.from({ length: ref.count * 4 * 3 }, (_, j) => ref.sh[Math.floor(j / 12) * 48 + (j % 12)]) };
    const expected = renderReference(ref1, cam32, { background: bg });
    expect(maxAbs(img.rgb, expected.rgb)).toBeLessThan(2e-3);
    scene.destroy();
  });

  it('rejects more Gaussians than the scene holds, and grow() keeps the live ones', async () => {
    const ref = randomScene(26, 40, 0);
    const scene = GaussianScene.create(device(), { capacity: 32, shDegree: 0 });
    expect(() => scene.upload(toData(ref))).toThrow(CapacityError);
    expect(() => scene.setCount(33)).toThrow(CapacityError);
    const first: GaussianData = { ...toData(ref), count: 30 };
    scene.upload(first);
    scene.grow(64);
    expect(scene.capacity).toBe(64);
    const back = await scene.read();
    expect([...back.means]).toEqual([...first.means.subarray(0, 90)]);
    scene.upload({ ...toData(ref), count: 10, means: toData(ref).means.subarray(90) as Float32Array,
      logScales: toData(ref).logScales.subarray(90), rotations: toData(ref).rotations.subarray(120),
      opacities: toData(ref).opacities.subarray(30), sh: toData(ref).sh.subarray(90) }, 30);
    expect(scene.count).toBe(40);
    const state = await getRenderer().render(scene, cam32);
    const img = await readForwardImages(device(), state);
    expect(maxAbs(img.rgb, renderReference(ref, cam32).rgb)).toBeLessThan(2e-3);
    scene.destroy();
  });

  it('a fixed intersection capacity that is too small drops the farthest pairs and flags overflow', async () => {
    const ref = randomScene(27, 300, 0);
    const scene = GaussianScene.fromData(device(), toData(ref), { shDegree: 0 });
    const full = await getRenderer().render(scene, cam32);
    const total = full.intersections!;
    expect(total).toBeGreaterThan(64);
    const fixedOk = await getRenderer().render(scene, cam32, { intersectionCapacity: total });
    expect(await readCounters(device(), fixedOk)).toMatchObject({ intersections: total, used: total, overflow: false });
    const over = await getRenderer().render(scene, cam32, { intersectionCapacity: 64 });
    expect(await readCounters(device(), over)).toMatchObject({ intersections: total, used: 64, overflow: true });
    const img = await readForwardImages(device(), over);
    expect(allFinite(img.rgb)).toBe(true);
    expect(gpu.engine!.takeErrors()).toEqual([]);
    scene.destroy();
  });

  it("'adaptive' intersection capacity: no blocking read after the first frame, flags an overflow, then grows", async () => {
    const small = GaussianScene.fromData(device(), toData(randomScene(28, 100, 0)), { shDegree: 0 });
    const big = GaussianScene.fromData(device(), toData(randomScene(29, 1200, 0)), { shDegree: 0 });
    const r = new ForwardRenderer(device());
    const first = await r.render(small, cam32, { intersectionCapacity: 'adaptive' });
    expect(first.intersections).toBeGreaterThan(0); // the first frame sizes the buffers with one blocking read
    expect(await first.overflow).toBe(false);
    const second = await r.render(small, cam32, { intersectionCapacity: 'adaptive' });
    expect(second.intersections).toBeNull();
    expect(await second.overflow).toBe(false);
    const grew = await r.render(big, cam32, { intersectionCapacity: 'adaptive' });
    expect(await grew.overflow).toBe(true); // 12× the Gaussians: this frame dropped its farthest pairs
    const after = await r.render(big, cam32, { intersectionCapacity: 'adaptive' });
    expect(await after.overflow).toBe(false);
    const adaptiveImg = await readForwardImages(device(), after);
    const autoImg = await readForwardImages(device(), await r.render(big, cam32));
    expect(maxAbs(adaptiveImg.rgb, autoImg.rgb)).toBe(0);
    expect(gpu.engine!.takeErrors()).toEqual([]);
    r.destroy();
    small.destroy();
    big.destroy();
  });

  it('rejects invalid cameras and options with clear errors', async () => {
    const scene = GaussianScene.fromData(device(), single([0, 0, 0], -1), { shDegree: 0 });
    const r = getRenderer();
    await expect(r.render(scene, { ...cam32, width: 0 })).rejects.toThrow(/image size/);
    await expect(r.render(scene, { ...cam32, width: 5000 })).rejects.toThrow(/image size/);
    await expect(r.render(scene, { ...cam32, fx: NaN })).rejects.toThrow(/fx/);
    await expect(r.render(scene, { ...cam32, fy: -1 })).rejects.toThrow(/focal/);
    await expect(r.render(scene, cam32, { shDegree: 2 })).rejects.toThrow(/shDegree/);
    await expect(r.render(scene, cam32, { background: new Float32Array(5) })).rejects.toThrow(/background/);
    await expect(r.render(scene, cam32, { intersectionCapacity: 0 })).rejects.toThrow(/intersectionCapacity/);
    expect(() => GaussianScene.create(device(), { capacity: 0, shDegree: 0 })).toThrow(RangeError);
    const first = r.render(scene, cam32);
    await expect(r.render(scene, cam32)).rejects.toThrow(/not re-entrant/);
    await first;
    scene.destroy();
  });

  it('rendering on a lost device rejects with DeviceLostError instead of hanging', async () => {
    const own = await createNodeDevice({ label: 'lost-render' });
    const scene = GaussianScene.fromData(own.device, single([0, 0, 0], -1), { shDegree: 0 });
    const r = new ForwardRenderer(own.device);
    const lost = new Promise((resolve) => own.onLost(resolve));
    own.destroy();
    await lost;
    await expect(r.render(scene, cam32)).rejects.toBeInstanceOf(DeviceLostError);
  });

  it('4096×4096 smoke test: one Gaussian at the centre', async () => {
    const cam = makeCamera(4096, 4096, 0.9, lookAt([0, 0, -4], [0, 0, 0]));
    const scene = GaussianScene.fromData(device(), single([0, 0, 0], Math.log(0.05), 3), { shDegree: 0 });
    if (device().limits.maxStorageBufferBindingSize < 4096 * 4096 * 16) {
      // e.g. Dawn's OpenGL ES backend (128 MiB bindings): a clear error, not a crash or a partial image.
      await expect(getRenderer().render(scene, cam)).rejects.toThrow(/exceeds this device's limit/);
      scene.destroy();
      return;
    }
    const state = await getRenderer().render(scene, cam, { background: [0, 0, 1] });
    const [centre, corner, edge] = await readPixelsRgba(device(), state, [[2048, 2048], [0, 0], [4095, 2048]]);
    // Opacity σ(3) = 0.9526 at the centre; colour = 0.28209·dc + 0.5.
    const a = 1 / (1 + Math.exp(-3));
    expect(centre[3]).toBeCloseTo(a, 2);
    expect(centre[0]).toBeCloseTo(a * (0.28209479 + 0.5), 2);
    expect(centre[2]).toBeCloseTo(a * 0.5 + (1 - a) * 1, 2); // DC blue 0 → 0.5, over a blue background
    expect([...corner]).toEqual([0, 0, 1, 0]);
    expect([...edge]).toEqual([0, 0, 1, 0]);
    expect(gpu.engine!.takeErrors()).toEqual([]);
    scene.destroy();
    renderer.destroy();
    renderer = new ForwardRenderer(device()); // free the 4096² buffers
  });
});
