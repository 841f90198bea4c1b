import { HELPERS_WGSL } from './common';

/** `ids[i] = i` for i < n: the values of the depth sort (Gaussian indices). */
export const depthOrderInitWgsl = /* wgsl */ `
${HELPERS_WGSL}
struct CountParams { n: u32, _p0: u32, _p1: u32, _p2: u32 }
@group(0) @binding(0) var<uniform> params: CountParams;
@group(0) @binding(1) var<storage, read_write> ids: array<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * 256u + lid;
  if (i < params.n) { ids[i] = i; }
}
`;
