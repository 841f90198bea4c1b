/**
 * The whole chain: bound Gaussians + vertices → deform → render → pixel loss → render backward → deform backward.
 * GPU vs the CPU reference chain, and the CPU chain vs central finite differences of the rendered loss.
 */
import { describe, expect, it } from 'vitest';
import { createBufferFrom } from '../../gpu/buffers';
import { readF32 } from '../../gpu/readback';
import { testDevice } from '../../gpu/test-device';
import { backwardReference } from '../../reference/backward';
import { deformBackwardReference, deformReference, type BoundRef } from '../../reference/binding';
import { lookAt, makeCamera } from '../../reference/camera';
import { renderReference64 } from '../../reference/forward';
import { rng } from '../../reference/test-scenes';
import { backwardInputsFromForward, SplatBackward } from '../../splat/backward';
import { SceneGradients } from '../../splat/backward-grads';
import { ForwardRenderer } from '../../splat/forward';
import { GaussianScene } from '../../splat/scene';
import { BoundGaussians } from './bound-gaussians';
import { BindingDeformer, BindingMesh } from './deform';
import { initFromUvLayout } from './init';
import { uvSphere } from './test-fixtures';
import { ENGINE_TEST_TIMEOUT } from '../../test-timeout';

const gpu = await testDevice();

function setup() {
  const s = uvSphere(6, 8, 0.1, 0.1, 9);
  const init = initFromUvLayout({ vertices: s.vertices, triangles: s.triangles }, s.uv, { resolution: 20, opacity: 0.5, scaleFactor: 0.7, shDegree: 1 });
  const r = rng(3);
  const d = init.data;
  // Perturb the local parameters so every path is exercised.
  for (let i = 0; i < d.count; i++) {
    d.offset[i] = (r() - 0.5) * 0.01;
    for (let a = 0; a < 4; a++) d.rotations[i * 4 + a] += (r() - 0.5) * 0.6;
    for (let a = 0; a < 3; a++) d.logScales[i * 3 + a] += (r() - 0.5) * 0.8;
    for (let a = 0; a < 12; a++) d.sh[i * 12 + a] += (r() - 0.5) * 0.4;
  }
  const verts = Float32Array.from(s.vertices);
  const cam = makeCamera(32, 32, 0.9, lookAt([0.12, 0.05, 0.3], [0, 0, 0]));
  const n = cam.width * cam.height;
  const dRgb = Float64Array.from({ length: n * 3 }, () => r() - 0.5);
  return { s, d, verts, cam, dRgb };
}

function cpuChain(bound: BoundRef, verts: ArrayLike<number>, triangles: Uint32Array, cam: ReturnType<typeof setup>['cam'], dRgb: Float64Array) {
  const scene = deformReference(bound, verts, triangles);
  const g = backwardReference(scene, cam, { rgb: dRgb, alpha: null, depth: null, features: null });
  return deformBackwardReference(bound, verts, triangles, g);
}

function renderedLoss(bound: BoundRef, verts: ArrayLike<number>, triangles: Uint32Array, cam: ReturnType<typeof setup>['cam'], dRgb: Float64Array): number {
  const img = renderReference64(deformReference(bound, verts, triangles), cam).rgb;
  let l = 0;
  for (let i = 0; i < img.length; i++) l += img[i] * dRgb[i];
  return l;
}

describe('render → deform chain', () => {
  it('CPU chain vertex and offset gradients match finite differences of the rendered loss', () => {
    const { s, d, cam, dRgb } = setup();
    const verts = Float64Array.from(s.vertices);
    const g = cpuChain(d, verts, s.triangles, cam, dRgb);
    const h = 1e-6;
    let checked = 0;
    const scale = Math.max(...Array.from(g.vertices, Math.abs));
    for (let j = 0; j < verts.length; j += 5) {
      const x = verts[j];
      verts[j] = x + h;
      const lp = renderedLoss(d, verts, s.triangles, cam, dRgb);
      verts[j] = x - h;
      const lm = renderedLoss(d, verts, s.triangles, cam, dRgb);
      verts[j] = x;
      const fd = (lp - lm) / (2 * h);
      expect(Math.abs(fd - g.vertices[j]), `vertex coord ${j}: fd ${fd} vs ${g.vertices[j]}`).toBeLessThan(1e-3 * scale + 1e-4 * Math.abs(fd));
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
    const off = Float64Array.from(d.offset);
    const b = { ...d, offset: off };
    for (let i = 0; i < d.count; i += 17) {
      const x = off[i];
      off[i] = x + h;
      const lp = renderedLoss(b, s.vertices, s.triangles, cam, dRgb);
      off[i] = x - h;
      const lm = renderedLoss(b, s.vertices, s.triangles, cam, dRgb);
      off[i] = x;
      const fd = (lp - lm) / (2 * h);
      expect(Math.abs(fd - g.offset[i])).toBeLessThan(1e-4 * (Math.abs(fd) + 1));
    }
  });

  it.skipIf(!gpu.device)('GPU: forward render + SplatBackward + deform backward match the CPU chain', async () => {
    const device = gpu.device!;
    const { s, d, verts, cam, dRgb } = setup();
    const mesh = new BindingMesh(device, s.triangles, verts);
    const bound = BoundGaussians.fromData(device, d);
    const scene = GaussianScene.create(device, { capacity: d.count, shDegree: 1 });
    const deformer = new BindingDeformer(device);
    let enc = device.createCommandEncoder();
    deformer.encodeForward(enc, bound, mesh, scene);
    device.queue.submit([enc.finish()]);
    const camera = { ...cam, viewMatrix: Float32Array.from(cam.viewMatrix) };
    const fwd = new ForwardRenderer(device);
    const state = await fwd.render(scene, camera);
    const n = cam.width * cam.height;
    const rgba = new Float32Array(n * 4);
    for (let p = 0; p < n; p++) rgba.set([dRgb[p * 3], dRgb[p * 3 + 1], dRgb[p * 3 + 2], 0], p * 4);
    const sceneGrads = new SceneGradients(scene);
    const boundGrads = new SceneGradients(bound.params);
    const bw = new SplatBackward(scene);
    const dRgbBuf = createBufferFrom(device, rgba, 'dRgb');
    enc = device.createCommandEncoder();
    bw.encode(enc, camera, backwardInputsFromForward(state), { rgb: dRgbBuf, rgbStride: 4 }, sceneGrads);
    deformer.encodeBackward(enc, bound, mesh, sceneGrads, boundGrads);
    device.queue.submit([enc.finish()]);
    const got = await boundGrads.read();
    const gv = await readF32(device, deformer.vertexGrads, 0, verts.length);
    const ref = cpuChain(d, verts, s.triangles, cam, dRgb);
    const cmp = (name: string, a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
      let m = 0, e = 0;
      for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(b[i]));
      for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
      expect(m, name).toBeGreaterThan(0);
      expect(e / m, `${name}: max error ${e} vs max ${m}`).toBeLessThan(tol);
    };
    cmp('vertices', gv, ref.vertices, 2e-3);
    cmp('offset', Float32Array.from({ length: d.count }, (_, i) => got.means[i * 3 + 2]), ref.offset, 2e-3);
    cmp('rotations', got.rotations, ref.rotations, 2e-3);
    cmp('logScales', got.logScales, ref.logScales, 2e-3);
    cmp('opacities', got.opacities, ref.opacities, 2e-3);
    cmp('sh', got.sh, ref.sh, 2e-3);
    for (const x of [mesh, bound, scene, deformer, sceneGrads, boundGrads, dRgbBuf]) x.destroy();
  }, ENGINE_TEST_TIMEOUT);
});
