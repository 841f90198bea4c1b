/** Test helper: the forward intermediates the GPU backward needs, built from the CPU reference. */
import { createBufferFrom } from '../gpu/buffers';
import { rasterInputs } from '../reference/forward';
import { buildTileLists, rasterizeForward } from '../reference/rasterize';
import type { Camera, RefScene, RenderOptions } from '../reference/types';
import type { RasterBackwardInputs } from './backward';

export function referenceBackwardInputs(device: GPUDevice, scene: RefScene, cam: Camera, options: RenderOptions = {}): RasterBackwardInputs {
  const inp = rasterInputs(scene, cam, options);
  const out = rasterizeForward(inp);
  const splats = new Float32Array(Math.max(1, scene.count) * 12);
  inp.projected.forEach((p, i) => {
    if (!p.visible) return;
    splats.set([p.u, p.v, p.conic[0], p.conic[1], p.conic[2], p.opacity, p.depth, 0, p.color[0], p.color[1], p.color[2], 0], i * 12);
  });
  const lists = buildTileLists(inp.projected, cam.width, cam.height);
  const ids: number[] = [];
  const ranges = new Uint32Array(lists.length * 2);
  lists.forEach((l, t) => {
    ranges[t * 2] = ids.length;
    ids.push(...l);
    ranges[t * 2 + 1] = ids.length;
  });
  const finalT = Float32Array.from(out.alpha, (a) => 1 - a);
  return {
    splats: createBufferFrom(device, splats, 'test.splats'),
    tileRanges: createBufferFrom(device, ranges, 'test.ranges'),
    sortedIds: createBufferFrom(device, Uint32Array.from(ids.length ? ids : [0]), 'test.ids'),
    finalT: createBufferFrom(device, finalT, 'test.finalT'),
    lastContrib: createBufferFrom(device, Uint32Array.from(out.lastContrib), 'test.last'),
  };
}
