/**
 * The shared avatar renderer (the viewport's `AvatarEngine` and the video/drive `VideoFrameRenderer` both draw through
 * it): against the CPU reference chain (deform + render), pixel for pixel the same as the pipeline the two composed
 * by hand before it existed (mesh → deformer → forward renderer → float readback or the RGBA8 pack), the video
 * frames exactly its float colour converted, texture edits (`setColours`, `setGaussians`) exactly a renderer built
 * with the edited avatar; and the RGBA8 pack kernel against its CPU twin.
 */
import { describe, expect, it } from 'vitest';
import { createBufferFrom } from '../../gpu/buffers';
import { readF32 } from '../../gpu/readback';
import { testDevice } from '../../gpu/test-device';
import { deformReference } from '../../reference/binding';
import { renderReference } from '../../reference/forward';
import { ForwardRenderer } from '../../splat/forward';
import { GaussianScene } from '../../splat/scene';
import type { BoundGaussianData } from '../binding/bound-gaussians';
import { BoundGaussians } from '../binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '../binding/deform';
import { makeRandom } from '../math';
import { canonicalFace } from '../open-head/build';
import { proceduralExpressionBasis } from '../open-head/procedural-expressions';
import { openHeadFor } from '../open-head/stored-space';
import { posedVertices } from '../trainer/frames';
import { proceduralTexture, randomCamera, randomHeadParams, uvAvatar } from '../trainer/test-fixtures';
import { toOpaqueRgba8, toStraightRgba8, VideoFrameRenderer } from './avatar-frame-renderer';
import { AvatarRenderer } from './avatar-renderer';
import { packRgba8Reference, Rgba8Packer } from './rgba8-pack';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();
const BG = [0.11, 0.115, 0.125] as const;

function fixture() {
  const e = proceduralExpressionBasis();
  const model = openHeadFor({ mean: Array.from(canonicalFace()), basis: Array.from(e.basis), count: e.count, range: Array.from(e.range) });
  const avatar = uvAvatar(model, 32, { texture: proceduralTexture(), opacity: 0.8, scaleFactor: 0.8 });
  const views = [0, 1, 2].map((s) => ({ camera: randomCamera(s + 1, 48 + s * 13), vertices: posedVertices(model, randomHeadParams(model, s + 5)) }));
  return { model, avatar, views };
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Buffer.from(new Uint8Array(Float32Array.from(a).buffer)).equals(Buffer.from(new Uint8Array(Float32Array.from(b).buffer)));
const sameBytes = (a: Uint8Array | Uint8ClampedArray, b: Uint8Array | Uint8ClampedArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe.skipIf(!gpu.device)('AvatarRenderer', () => {
  const { model, avatar, views } = fixture();

  it('matches the CPU reference chain (deform + render over the background)', async () => {
    const r = new AvatarRenderer(gpu.engine!, avatar, model.triangles, model.vertexCount, 'test');
    try {
      expect(r.gaussians).toBe(avatar.count);
      expect(r.kernels).toMatch(/^\w+\/\w+$/);
      for (const { camera, vertices } of views) {
        await r.render(vertices, camera, BG);
        const got = await r.readColor();
        const ref = renderReference(deformReference(avatar, vertices, model.triangles), camera, { background: [...BG] });
        const n = camera.width * camera.height;
        let bad = 0, lit = 0;
        for (let p = 0; p < n; p++) {
          if (ref.alpha[p] > 0.5) lit++;
          for (let k = 0; k < 3; k++) if (!(Math.abs(got[p * 4 + k] - ref.rgb[p * 3 + k]) <= 1e-3)) bad++;
          if (!(Math.abs(got[p * 4 + 3] - ref.alpha[p]) <= 1e-3)) bad++;
        }
        expect(lit, 'the head covers part of the frame').toBeGreaterThan(n * 0.1);
        expect(bad / (n * 4), 'share of values off by more than 1e-3 (f32 vs f64 at splat edges)').toBeLessThan(0.002);
      }
      r.throwGpuErrors('the test');
    } finally {
      r.destroy();
    }
  }, ENGINE_TEST_TIMEOUT);

  it('gives the same pixels as the pipeline the viewport and the video export composed by hand before it', async () => {
    const device = gpu.device!;
    const bound = BoundGaussians.fromData(device, avatar);
    const mesh = new BindingMesh(device, model.triangles, new Float32Array(model.vertexCount * 3));
    const scene = GaussianScene.create(device, { capacity: avatar.count, shDegree: avatar.shDegree });
    const deformer = new BindingDeformer(device);
    const forward = new ForwardRenderer(device);
    const packer = new Rgba8Packer(device);
    const r = new AvatarRenderer(gpu.engine!, avatar, model.triangles, model.vertexCount);
    const video = new VideoFrameRenderer(gpu.engine!, avatar, model.triangles, model.vertexCount);
    try {
      for (const { camera, vertices } of views) {
        const n = camera.width * camera.height;
        mesh.setVertices(vertices);
        const enc = device.createCommandEncoder();
        deformer.encodeForward(enc, bound, mesh, scene);
        device.queue.submit([enc.finish()]);
        const state = await forward.render(scene, camera, { background: BG });
        const wantColor = await readF32(device, state.color, 0, n * 4);
        const wantRgba8 = await packer.pack(state.color, n);

        await r.render(vertices, camera, BG);
        expect(same(await r.readColor(), wantColor), 'float colour').toBe(true);
        expect(sameBytes(await r.readRgba8(), wantRgba8), 'RGBA8 (the viewport canvas)').toBe(true);
        // The video session: the same render, converted on the CPU.
        expect(sameBytes(await video.render(vertices, camera, { over: BG }), toOpaqueRgba8(wantColor)), 'video frame over the stage').toBe(true);
        await r.render(vertices, camera, [0, 0, 0]);
        expect(sameBytes(await video.render(vertices, camera, 'straight'), toStraightRgba8(await r.readColor())), 'straight-alpha video frame').toBe(true);
      }
      expect(gpu.engine!.takeErrors()).toEqual([]);
    } finally {
      for (const x of [bound, mesh, scene, deformer, forward, packer, r, video]) x.destroy();
    }
  }, ENGINE_TEST_TIMEOUT);

  it('setColours and setGaussians (texture edits) render exactly as a renderer built with the edited avatar', async () => {
    const { camera, vertices } = views[1];
    const r = new AvatarRenderer(gpu.engine!, avatar, model.triangles, model.vertexCount);
    const fresh = async (data: BoundGaussianData) => {
      const f = new AvatarRenderer(gpu.engine!, data, model.triangles, model.vertexCount);
      try {
        await f.render(vertices, camera, BG);
        return await f.readRgba8();
      } finally {
        f.destroy();
      }
    };
    try {
      await r.render(vertices, camera, BG);
      const before = await r.readRgba8();
      const rnd = makeRandom(4);
      const sh = avatar.sh.map((x) => x + (rnd() - 0.5) * 0.5);
      r.setColours(sh);
      await r.render(vertices, camera, BG);
      const recoloured = await r.readRgba8();
      expect(sameBytes(recoloured, before)).toBe(false);
      expect(sameBytes(recoloured, await fresh({ ...avatar, sh }))).toBe(true);
      expect(() => r.setColours(sh.subarray(3))).toThrow(/SH values for/);

      // More Gaussians than the scene was made for (an edit's edge Gaussians): the scene grows.
      const m = 200;
      const grow = <T extends Float32Array | Uint32Array>(a: T, per: number): T => {
        const out = new (a.constructor as new (n: number) => T)(a.length + m * per);
        out.set(a);
        out.set(a.subarray(0, m * per), a.length);
        return out;
      };
      const bigger: BoundGaussianData = {
        ...avatar,
        count: avatar.count + m,
        triangle: grow(avatar.triangle, 1),
        barycentric: grow(avatar.barycentric, 2),
        offset: grow(avatar.offset, 1).map((x, i) => (i >= avatar.count ? x + 0.002 : x)),
        rotations: grow(avatar.rotations, 4),
        logScales: grow(avatar.logScales, 3),
        opacities: grow(avatar.opacities, 1),
        sh: grow(sh, (avatar.shDegree + 1) ** 2 * 3).map((x, i) => (i >= sh.length ? 0.9 : x)),
      };
      r.setGaussians(bigger);
      expect(r.gaussians).toBe(avatar.count + m);
      await r.render(vertices, camera, BG);
      expect(sameBytes(await r.readRgba8(), await fresh(bigger))).toBe(true);
      expect(gpu.engine!.takeErrors()).toEqual([]);
    } finally {
      r.destroy();
    }
  }, ENGINE_TEST_TIMEOUT);

  it('refuses to read before a render', async () => {
    const r = new AvatarRenderer(gpu.engine!, avatar, model.triangles, model.vertexCount);
    await expect(r.readColor()).rejects.toThrow(/nothing rendered yet/);
    r.destroy();
  });
});

describe.skipIf(!gpu.device)('RGBA8 packing (GPU vs CPU twin)', () => {
  it('clamps, rounds half up, maps NaN to 0, alpha 255; odd sizes and reuse', async () => {
    const device = gpu.device!;
    const packer = new Rgba8Packer(device);
    const r = makeRandom(5);
    for (const n of [2, 301, 1000]) {
      const color = Float32Array.from({ length: n * 4 }, () => r() * 1.4 - 0.2);
      color.set([NaN, Infinity, -Infinity, 1, 0.5 / 255, 1.5 / 255, 254.5 / 255, 1], 0);
      const buf = createBufferFrom(device, color, 'test.color');
      const got = await packer.pack(buf, n);
      const want = packRgba8Reference(color, n);
      let maxDiff = 0, off = 0;
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(got[i] - want[i]);
        maxDiff = Math.max(maxDiff, d);
        if (d) off++;
      }
      expect(maxDiff).toBeLessThanOrEqual(1);
      expect(off).toBeLessThanOrEqual(Math.ceil(want.length * 0.001));
      expect(Array.from(want.slice(0, 4))).toEqual([0, 255, 0, 255]);
      buf.destroy();
    }
    packer.destroy();
    expect(gpu.engine!.takeErrors()).toEqual([]);
  });
});
