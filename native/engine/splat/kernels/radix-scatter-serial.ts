import { HELPERS_WGSL } from './common';
import { RADIX_BINS, RADIX_BLOCK, RADIX_PARAMS_WGSL } from './radix-histogram';

/**
 * Radix sort pass, step 3, serial variant for CPU adapters: one invocation walks its 1024-key block in order and
 * writes each key to its digit's running offset (stable by construction). Same bindings and results as
 * radix-scatter.ts.
 */
export const radixScatterSerialWgsl = /* wgsl */ `
${HELPERS_WGSL}
${RADIX_PARAMS_WGSL}
@group(0) @binding(0) var<uniform> params: RadixParams;
@group(0) @binding(1) var<storage, read> counts: array<u32>;
@group(0) @binding(2) var<storage, read> keys_in: array<u32>;
@group(0) @binding(3) var<storage, read> values_in: array<u32>;
@group(0) @binding(4) var<storage, read> hist_scan: array<u32>;
@group(0) @binding(5) var<storage, read_write> keys_out: array<u32>;
@group(0) @binding(6) var<storage, read_write> values_out: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_workgroup(wid, nwg) * 64u + lid;
  if (block >= params.num_blocks) { return; }
  var next: array<u32, ${RADIX_BINS}>;
  for (var d = 0u; d < ${RADIX_BINS}u; d++) { next[d] = hist_scan[d * params.num_blocks + block]; }
  let start = block * ${RADIX_BLOCK}u;
  let end = min(start + ${RADIX_BLOCK}u, counts[params.count_index]);
  for (var i = start; i < end; i++) {
    let key = keys_in[i];
    let d = (key >> params.shift) & 15u;
    let dst = next[d];
    next[d] = dst + 1u;
    keys_out[dst] = key;
    values_out[dst] = values_in[i];
  }
}
`;
