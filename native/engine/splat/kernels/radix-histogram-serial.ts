import { HELPERS_WGSL } from './common';
import { RADIX_BINS, RADIX_BLOCK, RADIX_PARAMS_WGSL } from './radix-histogram';

/**
 * Radix sort pass, step 1, serial variant for CPU adapters: one invocation counts the digits of one 1024-key block
 * (no atomics, no barriers). Same bindings, layout (`hist[digit * num_blocks + block]`) and results as
 * radix-histogram.ts.
 */
export const radixHistogramSerialWgsl = /* wgsl */ `
${HELPERS_WGSL}
${RADIX_PARAMS_WGSL}
@group(0) @binding(0) var<uniform> params: RadixParams;
@group(0) @binding(1) var<storage, read> counts: array<u32>;
@group(0) @binding(2) var<storage, read> keys: array<u32>;
@group(0) @binding(3) var<storage, read_write> hist: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_workgroup(wid, nwg) * 64u + lid;
  if (block >= params.num_blocks) { return; }
  var bins: array<u32, ${RADIX_BINS}>;
  for (var d = 0u; d < ${RADIX_BINS}u; d++) { bins[d] = 0u; }
  let start = block * ${RADIX_BLOCK}u;
  let end = min(start + ${RADIX_BLOCK}u, counts[params.count_index]);
  for (var i = start; i < end; i++) {
    let d = (keys[i] >> params.shift) & 15u;
    bins[d] += 1u;
  }
  for (var d = 0u; d < ${RADIX_BINS}u; d++) {
    hist[d * params.num_blocks + block] = bins[d];
  }
}
`;
