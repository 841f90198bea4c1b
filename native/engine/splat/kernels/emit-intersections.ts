import { HELPERS_WGSL, PROJECTED_WGSL } from './common';

/**
 * Per Gaussian in depth order: writes one (tile id, Gaussian id) pair per touched tile at its scanned offset, so
 * the pairs come out in depth order and a stable sort by tile id keeps depth order within each tile.
 * Pairs past the intersection capacity are dropped (counters[3] flags the overflow).
 */
export const emitIntersectionsWgsl = /* wgsl */ `
${HELPERS_WGSL}
${PROJECTED_WGSL}
struct EmitParams { n: u32, capacity: u32, tiles_x: u32, _p0: u32 }
@group(0) @binding(0) var<uniform> params: EmitParams;
@group(0) @binding(1) var<storage, read> depth_order: array<u32>;
@group(0) @binding(2) var<storage, read> tile_info: array<TileInfo>;
@group(0) @binding(3) var<storage, read> offsets: array<u32>;
@group(0) @binding(4) var<storage, read_write> tile_keys: array<u32>;
@group(0) @binding(5) var<storage, read_write> gaussian_ids: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * 256u + lid;
  if (i >= params.n) { return; }
  let g = depth_order[i];
  let info = tile_info[g];
  if (info.y == 0u) { return; }
  let x0 = info.z & 0xffffu;
  let y0 = info.z >> 16u;
  let x1 = info.w & 0xffffu;
  let y1 = info.w >> 16u;
  var o = offsets[i];
  for (var ty = y0; ty < y1; ty++) {
    for (var tx = x0; tx < x1; tx++) {
      if (o < params.capacity) {
        tile_keys[o] = ty * params.tiles_x + tx;
        gaussian_ids[o] = g;
      }
      o++;
    }
  }
}
`;
