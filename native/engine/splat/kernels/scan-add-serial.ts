import { HELPERS_WGSL } from './common';
import { SCAN_BLOCK_SIZE } from './scan-blocks';

/** Exclusive prefix sum, level 2, serial variant: one invocation adds its block's offset to its 1024 values. */
export const scanAddSerialWgsl = /* wgsl */ `
${HELPERS_WGSL}
struct ScanParams { n: u32, num_blocks: u32, _p0: u32, _p1: u32 }
@group(0) @binding(0) var<uniform> params: ScanParams;
@group(0) @binding(1) var<storage, read> block_offsets: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_workgroup(wid, nwg) * 64u + lid;
  if (block >= params.num_blocks) { return; }
  let offset = block_offsets[block];
  let start = block * ${SCAN_BLOCK_SIZE}u;
  let end = min(start + ${SCAN_BLOCK_SIZE}u, params.n);
  for (var i = start; i < end; i++) {
    output[i] = output[i] + offset;
  }
}
`;
