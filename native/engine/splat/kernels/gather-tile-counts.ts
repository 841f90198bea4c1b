import { HELPERS_WGSL, PROJECTED_WGSL } from './common';

/** In depth order: `sorted_counts[i] = tile_info[depth_order[i]].tiles_touched` — the input of the offsets scan. */
export const gatherTileCountsWgsl = /* wgsl */ `
${HELPERS_WGSL}
${PROJECTED_WGSL}
struct CountParams { n: u32, _p0: u32, _p1: u32, _p2: u32 }
@group(0) @binding(0) var<uniform> params: CountParams;
@group(0) @binding(1) var<storage, read> depth_order: array<u32>;
@group(0) @binding(2) var<storage, read> tile_info: array<TileInfo>;
@group(0) @binding(3) var<storage, read_write> sorted_counts: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * 256u + lid;
  if (i < params.n) { sorted_counts[i] = tile_info[depth_order[i]].y; }
}
`;
