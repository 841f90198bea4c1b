import { HELPERS_WGSL, WORKGROUP_SCAN_WGSL } from './common';

/**
 * Exclusive prefix sum of u32, level 1: each workgroup scans a block of 1024 values (4 per invocation) and writes
 * the block's total to `block_sums`. Bindings: params {n}, input, output, block_sums.
 */
export const SCAN_BLOCK_SIZE = 1024;

export const scanBlocksWgsl = /* wgsl */ `
${HELPERS_WGSL}
${WORKGROUP_SCAN_WGSL}
struct ScanParams { n: u32, num_blocks: u32, _p0: u32, _p1: u32 }
@group(0) @binding(0) var<uniform> params: ScanParams;
@group(0) @binding(1) var<storage, read> input: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<u32>;
@group(0) @binding(3) var<storage, read_write> block_sums: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_workgroup(wid, nwg);
  if (block >= params.num_blocks) { return; }
  let base = block * ${SCAN_BLOCK_SIZE}u + lid * 4u;
  var local: array<u32, 4>;
  var sum = 0u;
  for (var k = 0u; k < 4u; k++) {
    local[k] = sum;
    if (base + k < params.n) {
      sum += input[base + k];
    }
  }
  let scanned = workgroup_exclusive_scan(lid, sum);
  for (var k = 0u; k < 4u; k++) {
    if (base + k < params.n) {
      output[base + k] = scanned.x + local[k];
    }
  }
  if (lid == 0u) {
    block_sums[block] = scanned.y;
  }
}
`;
