import { HELPERS_WGSL } from './common';
import { SCAN_BLOCK_SIZE } from './scan-blocks';

/**
 * Exclusive prefix sum, level 1, serial variant for CPU adapters: one invocation scans one 1024-value block in a
 * loop (no workgroup memory, no barriers). Same bindings and results as scan-blocks.ts.
 */
export const scanBlocksSerialWgsl = /* wgsl */ `
${HELPERS_WGSL}
struct ScanParams { n: u32, num_blocks: u32, _p0: u32, _p1: u32 }
@group(0) @binding(0) var<uniform> params: ScanParams;
@group(0) @binding(1) var<storage, read> input: array<u32>;
@group(0) @binding(2) var<storage, read_write> output: array<u32>;
@group(0) @binding(3) var<storage, read_write> block_sums: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_workgroup(wid, nwg) * 64u + lid;
  if (block >= params.num_blocks) { return; }
  let start = block * ${SCAN_BLOCK_SIZE}u;
  let end = min(start + ${SCAN_BLOCK_SIZE}u, params.n);
  var sum = 0u;
  for (var i = start; i < end; i++) {
    let v = input[i];
    output[i] = sum;
    sum += v;
  }
  block_sums[block] = sum;
}
`;
