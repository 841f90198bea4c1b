/**
 * Test helpers: a known ("ground-truth") avatar on the open head with a procedural UV texture, and frames rendered from
 * it under a sequence of expressions, rigid poses and cameras.
 */
import { lookAt, makeCamera, type Vec3 } from '../../reference/camera';
import { ForwardRenderer } from '../../splat/forward';
import { readForwardImages } from '../../splat/images';
import { GaussianScene } from '../../splat/scene';
import type { HeadModel } from '../head-model';
import { makeRandom } from '../math';
import { createOpenHead } from '../open-head/build';
import { proceduralExpressionBasis } from '../open-head/procedural-expressions';
import { BoundGaussians, type BoundGaussianData } from '../binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '../binding/deform';
import { initFromUvLayout } from '../binding/init';
import { posedVertices, type AvatarFrame, type FrameHeadParams } from './frames';

export function openHeadWithExpressions(): HeadModel {
  return createOpenHead({ expression: proceduralExpressionBasis() });
}

/** Smooth procedural colour texture (u, v) → RGB in [0.1, 0.9]. */
export function proceduralTexture(size = 64): { width: number; height: number; rgb: Float32Array } {
  const rgb = new Float32Array(size * size * 3);
  for (let j = 0; j < size; j++)
    for (let i = 0; i < size; i++) {
      const u = (i + 0.5) / size, v = (j + 0.5) / size;
      rgb.set([
        0.5 + 0.4 * Math.sin(2 * Math.PI * 3 * u),
        0.5 + 0.4 * Math.cos(2 * Math.PI * 2 * v),
        0.5 + 0.4 * Math.sin(2 * Math.PI * (2 * u + v)),
      ], (j * size + i) * 3);
    }
  return { width: size, height: size, rgb };
}

/** Open-head UV init at `resolution`², coloured by `texture` (or grey), with opacity `opacity`. */
export function uvAvatar(model: HeadModel, resolution: number, options: { texture?: ReturnType<typeof proceduralTexture>; opacity?: number; scaleFactor?: number } = {}): BoundGaussianData {
  const neutral = model.evaluate({});
  return initFromUvLayout({ vertices: neutral, triangles: model.triangles }, model.uv!, {
    resolution,
    texture: options.texture,
    opacity: options.opacity,
    scaleFactor: options.scaleFactor,
  }).data;
}

/** Seeded head parameters: expressions within ±range, jaw, head rotation (rigid) and a small translation. */
export function randomHeadParams(model: HeadModel, seed: number, amount = 1): FrameHeadParams {
  const r = makeRandom(seed);
  const s = (x: number) => (2 * r() - 1) * x * amount;
  const E = model.expressionCount;
  const expression = Float32Array.from({ length: E }, (_, e) => {
    const lo = model.expressionRange[e * 2], hi = model.expressionRange[e * 2 + 1];
    return Math.max(lo, Math.min(hi, s(1)));
  });
  const jointRotations = new Float32Array(15);
  jointRotations[6] = Math.max(0, s(0.25)); // jaw opening
  return { expression, jointRotations, rotation: [s(0.2), s(0.45), s(0.1)], translation: [s(0.01), s(0.01), s(0.01)] };
}

/** Camera looking at the head from a seeded direction near the front. */
export function randomCamera(seed: number, size: number) {
  const r = makeRandom(seed * 13 + 5);
  const yaw = (2 * r() - 1) * 0.5, pitch = (2 * r() - 1) * 0.25, dist = 0.5 + 0.05 * r();
  const eye: Vec3 = [dist * Math.sin(yaw) * Math.cos(pitch), -0.03 + dist * Math.sin(pitch), dist * Math.cos(yaw) * Math.cos(pitch)];
  const cam = makeCamera(size, size, 0.7, lookAt(eye, [0, -0.03, 0]));
  return { ...cam, viewMatrix: Float32Array.from(cam.viewMatrix) };
}

/** Renders the ground-truth avatar for each head/camera pair: premultiplied RGBA float frames (alpha = matte). */
export async function renderFrames(
  device: GPUDevice,
  model: HeadModel,
  gt: BoundGaussianData,
  views: Array<{ head: FrameHeadParams; camera: ReturnType<typeof randomCamera> }>,
): Promise<AvatarFrame[]> {
  const bound = BoundGaussians.fromData(device, gt);
  const mesh = new BindingMesh(device, model.triangles, posedVertices(model, views[0].head));
  const scene = GaussianScene.create(device, { capacity: gt.count, shDegree: gt.shDegree });
  const deformer = new BindingDeformer(device);
  const renderer = new ForwardRenderer(device);
  const frames: AvatarFrame[] = [];
  try {
    for (const v of views) {
      mesh.setVertices(posedVertices(model, v.head));
      const enc = device.createCommandEncoder();
      deformer.encodeForward(enc, bound, mesh, scene);
      device.queue.submit([enc.finish()]);
      const state = await renderer.render(scene, v.camera, { background: [0, 0, 0] });
      const img = await readForwardImages(device, state);
      const n = v.camera.width * v.camera.height;
      const image = new Float32Array(n * 4);
      for (let p = 0; p < n; p++) image.set([img.rgb[p * 3], img.rgb[p * 3 + 1], img.rgb[p * 3 + 2], img.alpha[p]], p * 4);
      frames.push({ image, channels: 4, premultiplied: true, camera: v.camera, head: v.head });
    }
  } finally {
    for (const x of [bound, mesh, scene, deformer, renderer]) x.destroy();
  }
  return frames;
}
