import { HELPERS_WGSL } from './common';

/**
 * Radix sort pass, step 1: per block of 1024 keys, a 16-bin histogram of the 4-bit digit at `shift`, written
 * digit-major (`hist[digit * num_blocks + block]`) so one exclusive scan of `hist` gives every block's scatter base.
 * The key count is read on the GPU (`counts[count_index]`); blocks past it write zeros.
 */
export const RADIX_BLOCK = 1024;
export const RADIX_BINS = 16;

export const RADIX_PARAMS_WGSL = /* wgsl */ `
struct RadixParams { shift: u32, count_index: u32, num_blocks: u32, _p0: u32 }
`;

export const radixHistogramWgsl = /* wgsl */ `
${HELPERS_WGSL}
${RADIX_PARAMS_WGSL}
@group(0) @binding(0) var<uniform> params: RadixParams;
@group(0) @binding(1) var<storage, read> counts: array<u32>;
@group(0) @binding(2) var<storage, read> keys: array<u32>;
@group(0) @binding(3) var<storage, read_write> hist: array<u32>;

var<workgroup> bins: array<atomic<u32>, ${RADIX_BINS}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_workgroup(wid, nwg);
  if (block >= params.num_blocks) { return; }
  if (lid < ${RADIX_BINS}u) { atomicStore(&bins[lid], 0u); }
  workgroupBarrier();
  let n = counts[params.count_index];
  for (var k = 0u; k < 4u; k++) {
    let i = block * ${RADIX_BLOCK}u + k * 256u + lid;
    if (i < n) {
      atomicAdd(&bins[(keys[i] >> params.shift) & 15u], 1u);
    }
  }
  workgroupBarrier();
  if (lid < ${RADIX_BINS}u) {
    hist[lid * params.num_blocks + block] = atomicLoad(&bins[lid]);
  }
}
`;
