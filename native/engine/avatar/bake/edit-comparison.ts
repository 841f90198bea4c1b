/**
 * "Apply is what you saw" (issue 21): the texture editor's preview of an edit and the avatar that *Apply to avatar*
 * produces, rendered from the same views and compared. Per view: PSNR between the two renders over the head (pixels
 * either render covers), and the centroid of each render's edit — the pixels whose colour the edit changed against
 * the unedited avatar — with the distance between the two centroids in pixels.
 */
import type { Camera } from '../../reference/types';
import { ForwardRenderer } from '../../splat/forward';
import { readForwardImages } from '../../splat/images';
import { GaussianScene } from '../../splat/scene';
import { BoundGaussians, type BoundGaussianData } from '../binding/bound-gaussians';
import { BindingDeformer, BindingMesh } from '../binding/deform';

export interface EditViewComparison {
  /** PSNR (dB) of the applied render against the preview render, over pixels where either has alpha > 1/255. */
  psnr: number;
  /** Pixels the edit changed in the preview / in the applied render (colour moved by > 8/255 against the unedited). */
  editPixels: { preview: number; applied: number };
  /** Centroids of those pixels (x, y), null when the edit is not visible in the view. */
  centroid: { preview: [number, number] | null; applied: [number, number] | null };
  /** Distance between the centroids in pixels (0 when the edit is visible in neither, Infinity when in one only). */
  centroidDistance: number;
}

export interface EditComparison {
  views: EditViewComparison[];
  /** The lowest PSNR over the views, and the largest centroid distance. */
  minPsnr: number;
  maxCentroidDistance: number;
  /** The renders (RGBA float over black, W·H·4), per view: unedited, preview, applied. */
  frames: { unedited: Float32Array; preview: Float32Array; applied: Float32Array }[];
}

const EDIT_THRESHOLD = 8 / 255;

/** Renders the unedited avatar, the preview and the applied avatar on `mesh` (the head as posed) from `cameras` and compares them. */
export async function compareEdit(
  device: GPUDevice,
  mesh: { vertices: Float32Array; triangles: Uint32Array },
  avatars: { unedited: BoundGaussianData; preview: BoundGaussianData; applied: BoundGaussianData },
  cameras: readonly Camera[],
): Promise<EditComparison> {
  const [unedited, preview, applied] = [
    await renderOn(device, mesh, avatars.unedited, cameras),
    await renderOn(device, mesh, avatars.preview, cameras),
    await renderOn(device, mesh, avatars.applied, cameras),
  ];
  const out = cameras.map((c, i) => compareView(unedited[i], preview[i], applied[i], c.width, c.height));
  return {
    views: out,
    minPsnr: Math.min(...out.map((v) => v.psnr)),
    maxCentroidDistance: Math.max(...out.map((v) => v.centroidDistance)),
    frames: cameras.map((_, i) => ({ unedited: unedited[i], preview: preview[i], applied: applied[i] })),
  };
}

/** `data` bound to `mesh`, rendered from each camera over black: RGBA floats (alpha = the render's). */
export async function renderOn(device: GPUDevice, mesh: { vertices: Float32Array; triangles: Uint32Array }, data: BoundGaussianData, cameras: readonly Camera[]): Promise<Float32Array[]> {
  const bound = BoundGaussians.fromData(device, data);
  const binding = new BindingMesh(device, mesh.triangles, mesh.vertices);
  const scene = GaussianScene.create(device, { capacity: Math.max(1, data.count), shDegree: data.shDegree });
  const deformer = new BindingDeformer(device);
  const renderer = new ForwardRenderer(device);
  try {
    const out: Float32Array[] = [];
    for (const camera of cameras) {
      const enc = device.createCommandEncoder({ label: 'edit-comparison' });
      deformer.encodeForward(enc, bound, binding, scene);
      device.queue.submit([enc.finish()]);
      const img = await readForwardImages(device, await renderer.render(scene, camera, { background: [0, 0, 0], intersectionCapacity: 'auto' }));
      const n = camera.width * camera.height, rgba = new Float32Array(n * 4);
      for (let p = 0; p < n; p++) rgba.set([img.rgb[p * 3], img.rgb[p * 3 + 1], img.rgb[p * 3 + 2], img.alpha[p]], p * 4);
      out.push(rgba);
    }
    return out;
  } finally {
    for (const x of [renderer, deformer, scene, binding, bound]) x.destroy();
  }
}

/** The comparison of one view's three renders (premultiplied RGBA floats, W·H·4). */
export function compareView(unedited: Float32Array, preview: Float32Array, applied: Float32Array, width: number, height: number): EditViewComparison {
  let se = 0, n = 0;
  const sums = { preview: [0, 0, 0], applied: [0, 0, 0] };
  for (let p = 0; p < width * height; p++) {
    const o = p * 4;
    if (Math.max(preview[o + 3], applied[o + 3]) <= 1 / 255) continue;
    for (let c = 0; c < 3; c++) se += (preview[o + c] - applied[o + c]) ** 2;
    n += 3;
    for (const [key, img] of [['preview', preview], ['applied', applied]] as const) {
      let d = 0;
      for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(img[o + c] - unedited[o + c]));
      if (d > EDIT_THRESHOLD) {
        const s = sums[key];
        s[0] += (p % width) + 0.5;
        s[1] += Math.floor(p / width) + 0.5;
        s[2]++;
      }
    }
  }
  const mse = n ? se / n : 0;
  const centroid = (s: number[]): [number, number] | null => (s[2] ? [s[0] / s[2], s[1] / s[2]] : null);
  const cp = centroid(sums.preview), ca = centroid(sums.applied);
  return {
    psnr: mse > 0 ? 10 * Math.log10(1 / mse) : Infinity,
    editPixels: { preview: sums.preview[2], applied: sums.applied[2] },
    centroid: { preview: cp, applied: ca },
    centroidDistance: cp && ca ? Math.hypot(cp[0] - ca[0], cp[1] - ca[1]) : cp || ca ? Infinity : 0,
  };
}
