/** Test helper: the forward intermediates the GPU backward needs, built from the CPU reference. */
import { createBufferFrom } from '../gpu/buffers';
import { rasterInputs } from '../reference/forward';
import { buildTileLists, rasterizeForward } from '../reference/rasterize';
import type { Camera, RefScene, RenderOptions } from '../reference/types';
import type { RasterBackwardInputs } from './backward';

export function referenceBackwardInputs(device: GPUDevice, scene: RefScene, cam: Camera, options: RenderOptions = {}): RasterBackwardInputs {
  const inp = rasterInputs(scene, cam, options);
  const out = rasterizeForward(inp);
  // ProjectedSplat layout of the forward: [u, v, depth, opacity], [a, b, c, reach], [r, g, b, –]; tileInfo.x = radius.
  const splats = new Float32Array(Math.max(1, scene.count) * 12);
  const tileInfo = new Uint32Array(Math.max(1, scene.count) * 4);
  inp.projected.forEach((p, i) => {
    if (!p.visible) return;
    const reach = p.opacity * 255 >= 1 ? 2 * Math.log(255 * p.opacity) : -1; // as the project kernel writes it
    splats.set([p.u, p.v, p.depth, p.opacity, p.conic[0], p.conic[1], p.conic[2], reach, p.color[0], p.color[1], p.color[2], 0], i * 12);
    tileInfo[i * 4] = p.radius;
  });
  const lists = buildTileLists(inp.projected, cam.width, cam.height);
  const ids: number[] = [];
  const ranges = new Uint32Array(lists.length * 2);
  lists.forEach((l, t) => {
    ranges[t * 2] = ids.length;
    ids.push(...l);
    ranges[t * 2 + 1] = ids.length;
  });
  // aux: [depth bits, final T bits, exclusive end of contributors in the sorted list, count]
  const n = cam.width * cam.height;
  const aux = new ArrayBuffer(n * 16);
  const auxF = new Float32Array(aux);
  const auxU = new Uint32Array(aux);
  const tilesX = Math.ceil(cam.width / 16);
  for (let p = 0; p < n; p++) {
    const tile = Math.floor(Math.floor(p / cam.width) / 16) * tilesX + Math.floor((p % cam.width) / 16);
    auxF[p * 4] = out.depth[p];
    auxF[p * 4 + 1] = 1 - out.alpha[p];
    auxU[p * 4 + 2] = ranges[tile * 2] + out.lastContrib[p];
    auxU[p * 4 + 3] = out.nContrib[p];
  }
  return {
    projected: createBufferFrom(device, splats, 'test.projected'),
    tileInfo: createBufferFrom(device, tileInfo, 'test.tileInfo'),
    tileRanges: createBufferFrom(device, ranges, 'test.ranges'),
    isectGaussians: createBufferFrom(device, Uint32Array.from(ids.length ? ids : [0]), 'test.ids'),
    aux: createBufferFrom(device, new Uint32Array(aux), 'test.aux'),
  };
}
