import { HELPERS_WGSL } from './common';
import { SCAN_BLOCK_SIZE } from './scan-blocks';

/** Exclusive prefix sum, level 2: adds each block's scanned offset to its 1024 values. */
export const scanAddWgsl = /* wgsl */ `
${HELPERS_WGSL}
struct ScanParams { n: u32, num_blocks: u32, _p0: u32, _p1: u32 }
@group(0) @binding(0) var<uniform> params: ScanParams;
@group(0) @binding(1) var<storage, read> block_offsets: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_workgroup(wid, nwg);
  if (block >= params.num_blocks) { return; }
  let offset = block_offsets[block];
  for (var k = 0u; k < 4u; k++) {
    let i = block * ${SCAN_BLOCK_SIZE}u + k * 256u + lid;
    if (i < params.n) {
      output[i] = output[i] + offset;
    }
  }
}
`;
