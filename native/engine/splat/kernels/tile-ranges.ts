import { HELPERS_WGSL } from './common';

/**
 * Per sorted intersection: marks where each tile's run starts and ends. `ranges[tile] = (start, end)` into the
 * sorted arrays; must be cleared to zero first (tiles with no hits keep (0, 0)).
 */
export const tileRangesWgsl = /* wgsl */ `
${HELPERS_WGSL}
@group(0) @binding(0) var<storage, read> counters: array<u32>;
@group(0) @binding(1) var<storage, read> tile_keys: array<u32>;
@group(0) @binding(2) var<storage, read_write> ranges: array<vec2u>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * 256u + lid;
  let m = counters[2];
  if (i >= m) { return; }
  let tile = tile_keys[i];
  if (i == 0u || tile_keys[i - 1u] != tile) { ranges[tile].x = i; }
  if (i + 1u == m || tile_keys[i + 1u] != tile) { ranges[tile].y = i + 1u; }
}
`;
