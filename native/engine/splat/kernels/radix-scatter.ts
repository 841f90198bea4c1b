import { HELPERS_WGSL, WORKGROUP_SCAN_WGSL } from './common';
import { RADIX_BINS, RADIX_BLOCK, RADIX_PARAMS_WGSL } from './radix-histogram';

/**
 * Radix sort pass, step 3 (after the scan of the histograms): each block sorts its 1024 keys locally and stably
 * by the 4-bit digit with four 1-bit splits in workgroup memory, then writes each key/value to
 * `hist_scan[digit * num_blocks + block] + (rank within its digit in the block)`. Stable, so passes compose (LSD).
 */
export const radixScatterWgsl = /* wgsl */ `
${HELPERS_WGSL}
${WORKGROUP_SCAN_WGSL}
${RADIX_PARAMS_WGSL}
@group(0) @binding(0) var<uniform> params: RadixParams;
@group(0) @binding(1) var<storage, read> counts: array<u32>;
@group(0) @binding(2) var<storage, read> keys_in: array<u32>;
@group(0) @binding(3) var<storage, read> values_in: array<u32>;
@group(0) @binding(4) var<storage, read> hist_scan: array<u32>;
@group(0) @binding(5) var<storage, read_write> keys_out: array<u32>;
@group(0) @binding(6) var<storage, read_write> values_out: array<u32>;

var<workgroup> s_keys: array<u32, ${RADIX_BLOCK}>;
var<workgroup> s_values: array<u32, ${RADIX_BLOCK}>;
var<workgroup> s_digits: array<u32, ${RADIX_BLOCK}>;
var<workgroup> digit_start: array<u32, ${RADIX_BINS}>;
var<workgroup> digit_count: array<atomic<u32>, ${RADIX_BINS}>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let block = linear_workgroup(wid, nwg);
  if (block >= params.num_blocks) { return; }
  let n = counts[params.count_index];
  let base = block * ${RADIX_BLOCK}u;
  if (lid < ${RADIX_BINS}u) { atomicStore(&digit_count[lid], 0u); }
  workgroupBarrier();

  // Invalid slots (past n) get digit 15; they are last in the block and stay last (stable), and are not written.
  var key: array<u32, 4>;
  var value: array<u32, 4>;
  var digit: array<u32, 4>;
  for (var k = 0u; k < 4u; k++) {
    let i = base + lid * 4u + k;
    if (i < n) {
      key[k] = keys_in[i];
      value[k] = values_in[i];
      digit[k] = (key[k] >> params.shift) & 15u;
      atomicAdd(&digit_count[digit[k]], 1u);
    } else {
      key[k] = 0xffffffffu;
      value[k] = 0u;
      digit[k] = 15u;
    }
  }

  for (var bit = 0u; bit < 4u; bit++) {
    var zeros = 0u;
    for (var k = 0u; k < 4u; k++) {
      zeros += 1u - ((digit[k] >> bit) & 1u);
    }
    let scanned = workgroup_exclusive_scan(lid, zeros);
    let total_zeros = scanned.y;
    var zeros_before = scanned.x;
    for (var k = 0u; k < 4u; k++) {
      let p = lid * 4u + k;
      var dest: u32;
      if (((digit[k] >> bit) & 1u) == 0u) {
        dest = zeros_before;
        zeros_before += 1u;
      } else {
        dest = total_zeros + (p - zeros_before);
      }
      s_keys[dest] = key[k];
      s_values[dest] = value[k];
      s_digits[dest] = digit[k];
    }
    workgroupBarrier();
    for (var k = 0u; k < 4u; k++) {
      let p = lid * 4u + k;
      key[k] = s_keys[p];
      value[k] = s_values[p];
      digit[k] = s_digits[p];
    }
    workgroupBarrier();
  }

  if (lid == 0u) {
    var run = 0u;
    for (var d = 0u; d < ${RADIX_BINS}u; d++) {
      digit_start[d] = run;
      run += atomicLoad(&digit_count[d]);
    }
  }
  workgroupBarrier();
  for (var k = 0u; k < 4u; k++) {
    let p = lid * 4u + k;
    if (base + p < n) {
      let dest = hist_scan[digit[k] * params.num_blocks + block] + (p - digit_start[digit[k]]);
      keys_out[dest] = key[k];
      values_out[dest] = value[k];
    }
  }
}
`;
