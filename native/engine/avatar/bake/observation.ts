/**
 * GPU passes over a set of views of a bound avatar: its renders (premultiplied RGBA frames, the bake's targets) and
 * per-Gaussian observation weights w_g = Σ_views Σ_pixels α_g·T_g (how much of the images each Gaussian paints,
 * occlusion included). The weight is read off the renderer's own backward: with dL/drgb = 1 at every pixel and every
 * colour at grey (SH 0, unclamped), dL/dSH_DC = C0 · Σ α·T.
 */
import { createStorageBuffer, writeArray } from '../../gpu/buffers';
import { readF32 } from '../../gpu/readback';
import { SH_C0 } from '../../reference/sh';
import { backwardInputsFromForward, SplatBackward } from '../../splat/backward';
import { SceneGradients } from '../../splat/backward-grads';
import { ForwardRenderer } from '../../splat/forward';
import { readForwardImages } from '../../splat/images';
import { GaussianScene } from '../../splat/scene';
import type { Camera } from '../../reference/types';
import type { HeadModel } from '../head-model';
import { BoundGaussians, type BoundGaussianData } from '../binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '../binding/deform';
import { posedVertices, type AvatarFrame, type FrameHeadParams } from '../trainer/frames';

export interface BakeView {
  head: FrameHeadParams;
  camera: Camera;
}

/** Renders `data` for each view over black: premultiplied RGBA float frames (alpha = the render's alpha). */
export async function renderViews(device: GPUDevice, model: HeadModel, data: BoundGaussianData, views: readonly BakeView[]): Promise<AvatarFrame[]> {
  const frames: AvatarFrame[] = [];
  await eachView(device, model, data, views, false, async (img, v) => {
    const n = v.camera.width * v.camera.height;
    const image = new Float32Array(n * 4);
    for (let p = 0; p < n; p++) image.set([img.rgb[p * 3], img.rgb[p * 3 + 1], img.rgb[p * 3 + 2], img.alpha[p]], p * 4);
    frames.push({ image, channels: 4, premultiplied: true, camera: v.camera, head: v.head });
  });
  return frames;
}

/** Σ over views of each Gaussian's rendered weight Σ α·T (in pixels). */
export async function observationWeights(device: GPUDevice, model: HeadModel, data: BoundGaussianData, views: readonly BakeView[]): Promise<Float32Array> {
  const K = (data.shDegree + 1) ** 2;
  const grey = { ...data, sh: new Float32Array(data.count * K * 3) };
  const total = new Float32Array(data.count);
  await eachView(device, model, grey, views, true, async (_img, _v, dSh) => {
    for (let g = 0; g < data.count; g++) total[g] += Math.max(0, dSh![g * K * 3] / SH_C0);
  });
  return total;
}

async function eachView(
  device: GPUDevice,
  model: HeadModel,
  data: BoundGaussianData,
  views: readonly BakeView[],
  withBackward: boolean,
  visit: (img: { rgb: Float32Array; alpha: Float32Array }, view: BakeView, dSh: Float32Array | null) => Promise<void>,
): Promise<void> {
  if (views.length === 0) return;
  const bound = BoundGaussians.fromData(device, data);
  const mesh = new BindingMesh(device, model.triangles, posedVertices(model, views[0].head));
  const scene = GaussianScene.create(device, { capacity: Math.max(1, data.count), shDegree: data.shDegree });
  const deformer = new BindingDeformer(device);
  const renderer = new ForwardRenderer(device);
  const backward = withBackward ? new SplatBackward(scene) : null;
  const grads = withBackward ? new SceneGradients(scene) : null;
  let ones: GPUBuffer | null = null;
  try {
    for (const v of views) {
      mesh.setVertices(posedVertices(model, v.head));
      const enc = device.createCommandEncoder({ label: 'bake.view' });
      deformer.encodeForward(enc, bound, mesh, scene);
      device.queue.submit([enc.finish()]);
      const state = await renderer.render(scene, v.camera, { background: [0, 0, 0], intersectionCapacity: 'auto' });
      let dSh: Float32Array | null = null;
      if (backward && grads) {
        const pixels = v.camera.width * v.camera.height;
        if (!ones || ones.size < pixels * 12) {
          ones?.destroy();
          ones = createStorageBuffer(device, pixels * 12, 'bake.ones');
          writeArray(device, ones, new Float32Array(pixels * 3).fill(1));
        }
        grads.ensureCapacity();
        const e2 = device.createCommandEncoder({ label: 'bake.observation' });
        grads.clear(e2);
        backward.encode(e2, v.camera, backwardInputsFromForward(state), { rgb: ones, rgbStride: 3 }, grads, { background: [0, 0, 0], near: state.near });
        device.queue.submit([e2.finish()]);
        dSh = await readF32(device, grads.sh, 0, data.count * (data.shDegree + 1) ** 2 * 3);
      }
      await visit(await readForwardImages(device, state), v, dSh);
    }
  } finally {
    for (const x of [bound, mesh, scene, deformer, renderer, backward, grads]) x?.destroy();
    ones?.destroy();
  }
}
