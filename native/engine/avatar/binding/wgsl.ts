/**
 * WGSL of the triangle binding (twin of reference/binding.ts; maths in README.md).
 *
 * Buffers:
 * - `frames`: per triangle 5 × vec4f = [v0, log k], [v1, k], [v2, valid (1/0)], [unit normal a1, 0], [quat(R) (w,x,y,z)]
 * - `tri_ids`: per Gaussian, the triangle id as an f32 integer (exact below 2²⁴; f32 so that the Densifier's gather
 *   copies it like any other attribute)
 * - bound "means" = [b0, b1, d] (barycentrics of v0 and v1; normal offset in metres), rotations (local, unnormalised),
 *   log-scales (local: world scale = k · exp), opacities and SH as in GaussianScene
 * - `accum`: per triangle 16 f32 (atomic u32 bits): Σb0·gμ (3), Σb1·gμ (3), Σgμ (3), Σd·gμ (3), Σ g_logScale (1),
 *   ν = Σ ½(w g_v − g_w v + v × g_v) (3)
 */
import { atomicAddF32 } from '../../splat/backward-wgsl';

export const FRAME_VEC4S = 5;
export const ACCUM_FLOATS = 16;
export const FLAG_LEARN_BARYCENTRICS = 1;

const COMMON = /* wgsl */ `
struct BindParams { count: u32, tri_count: u32, vertex_count: u32, flags: u32 };
@group(0) @binding(0) var<uniform> B: BindParams;
fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn qmul(a: vec4f, b: vec4f) -> vec4f {
  return vec4f(
    a.x * b.x - a.y * b.y - a.z * b.z - a.w * b.w,
    a.x * b.y + a.y * b.x + a.z * b.w - a.w * b.z,
    a.x * b.z - a.y * b.w + a.z * b.x + a.w * b.y,
    a.x * b.w + a.y * b.z - a.z * b.y + a.w * b.x);
}
// A runtime NaN (a constant bitcast would be rejected at shader creation).
fn nan_f32() -> f32 { return bitcast<f32>(0x7fc00000u | (B.count & 0u)); }
fn gid_linear(gid: vec3u, nwg: vec3u) -> u32 { return gid.x + gid.y * nwg.x * 256u; }
`;

/** Triangle id of Gaussian i, or -1 when it is not an integer in [0, T). */
const TRI_OF = /* wgsl */ `
fn tri_of(i: u32) -> i32 {
  let f = tri_ids[i];
  if (f >= 0.0 && f < f32(B.tri_count) && f == floor(f)) { return i32(f); }
  return -1;
}
`;

export const FRAMES_WGSL = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> vertices: array<f32>;
@group(0) @binding(2) var<storage, read> triangles: array<u32>;
@group(0) @binding(3) var<storage, read_write> frames: array<vec4f>;
fn vtx(i: u32) -> vec3f {
  if (i >= B.vertex_count) { return vec3f(nan_f32()); }
  return vec3f(vertices[i * 3u], vertices[i * 3u + 1u], vertices[i * 3u + 2u]);
}
// Columns c0, c1, c2 of a rotation → unit quaternion (Shepperd; same branches as reference/binding.ts).
fn frame_quat(c0: vec3f, c1: vec3f, c2: vec3f) -> vec4f {
  let m00 = c0.x; let m10 = c0.y; let m20 = c0.z;
  let m01 = c1.x; let m11 = c1.y; let m21 = c1.z;
  let m02 = c2.x; let m12 = c2.y; let m22 = c2.z;
  let tr = m00 + m11 + m22;
  var q: vec4f;
  if (tr > 0.0) {
    let s = sqrt(tr + 1.0) * 2.0;
    q = vec4f(0.25 * s, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s);
  } else if (m00 > m11 && m00 > m22) {
    let s = sqrt(1.0 + m00 - m11 - m22) * 2.0;
    q = vec4f((m21 - m12) / s, 0.25 * s, (m01 + m10) / s, (m02 + m20) / s);
  } else if (m11 > m22) {
    let s = sqrt(1.0 + m11 - m00 - m22) * 2.0;
    q = vec4f((m02 - m20) / s, (m01 + m10) / s, 0.25 * s, (m12 + m21) / s);
  } else {
    let s = sqrt(1.0 + m22 - m00 - m11) * 2.0;
    q = vec4f((m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, 0.25 * s);
  }
  return q / length(q);
}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid_linear(gid, nwg);
  if (t >= B.tri_count) { return; }
  let v0 = vtx(triangles[t * 3u]);
  let v1 = vtx(triangles[t * 3u + 1u]);
  let v2 = vtx(triangles[t * 3u + 2u]);
  let e0 = v1 - v0;
  let e1 = v2 - v0;
  let c = cross(e0, e1);
  let l0 = length(e0);
  let lc = length(c);
  let valid = l0 > 1e-20 && lc > 1e-30 && is_finite(l0) && is_finite(lc);
  var a0 = vec3f(1.0, 0.0, 0.0);
  var a1 = vec3f(0.0, 1.0, 0.0);
  var k = 1.0;
  if (valid) { a0 = e0 / l0; a1 = c / lc; k = 0.5 * (l0 + lc / l0); }
  let a2 = cross(a0, a1);
  let o = t * ${FRAME_VEC4S}u;
  frames[o] = vec4f(v0, log(k));
  frames[o + 1u] = vec4f(v1, k);
  frames[o + 2u] = vec4f(v2, select(0.0, 1.0, valid));
  frames[o + 3u] = vec4f(a1, 0.0);
  frames[o + 4u] = frame_quat(a0, a1, a2);
}
`;

export const DEFORM_WGSL = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> frames: array<vec4f>;
@group(0) @binding(2) var<storage, read> tri_ids: array<f32>;
@group(0) @binding(3) var<storage, read> b_means: array<f32>;
@group(0) @binding(4) var<storage, read> b_rot: array<f32>;
@group(0) @binding(5) var<storage, read> b_ls: array<f32>;
@group(0) @binding(6) var<storage, read_write> means: array<f32>;
@group(0) @binding(7) var<storage, read_write> rotations: array<f32>;
@group(0) @binding(8) var<storage, read_write> log_scales: array<f32>;
${TRI_OF}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid_linear(gid, nwg);
  if (i >= B.count) { return; }
  let t = tri_of(i);
  var valid = t >= 0;
  var o = 0u;
  if (valid) { o = u32(t) * ${FRAME_VEC4S}u; valid = frames[o + 2u].w > 0.5; }
  if (!valid) {
    // Unbound or degenerate: NaN mean and scale (the renderer culls it), identity rotation.
    let nan = nan_f32();
    for (var a = 0u; a < 3u; a++) { means[i * 3u + a] = nan; log_scales[i * 3u + a] = nan; }
    rotations[i * 4u] = 1.0; rotations[i * 4u + 1u] = 0.0; rotations[i * 4u + 2u] = 0.0; rotations[i * 4u + 3u] = 0.0;
    return;
  }
  let f0 = frames[o];
  let f1 = frames[o + 1u];
  let f2 = frames[o + 2u];
  let n = frames[o + 3u].xyz;
  let qr = frames[o + 4u];
  let b0 = b_means[i * 3u];
  let b1 = b_means[i * 3u + 1u];
  let d = b_means[i * 3u + 2u];
  let mu = b0 * f0.xyz + b1 * f1.xyz + (1.0 - b0 - b1) * f2.xyz + d * n;
  for (var a = 0u; a < 3u; a++) {
    means[i * 3u + a] = mu[a];
    log_scales[i * 3u + a] = b_ls[i * 3u + a] + f0.w;
  }
  var ql = vec4f(b_rot[i * 4u], b_rot[i * 4u + 1u], b_rot[i * 4u + 2u], b_rot[i * 4u + 3u]);
  let len = length(ql);
  if (len > 0.0 && is_finite(len)) { ql = ql / len; } else { ql = vec4f(1.0, 0.0, 0.0, 0.0); }
  let q = qmul(qr, ql);
  for (var a = 0u; a < 4u; a++) { rotations[i * 4u + a] = q[a]; }
}
`;

export const BACKWARD_POS_WGSL = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> frames: array<vec4f>;
@group(0) @binding(2) var<storage, read> tri_ids: array<f32>;
@group(0) @binding(3) var<storage, read> b_means: array<f32>;
@group(0) @binding(4) var<storage, read> g_means: array<f32>;
@group(0) @binding(5) var<storage, read> g_ls: array<f32>;
@group(0) @binding(6) var<storage, read_write> gb_means: array<f32>;
@group(0) @binding(7) var<storage, read_write> accum: array<atomic<u32>>;
${TRI_OF}
${atomicAddF32('acc_add_raw', 'accum')}
fn acc_add(i: u32, v: f32) { if (v != 0.0) { acc_add_raw(i, v); } }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid_linear(gid, nwg);
  if (i >= B.count) { return; }
  let t = tri_of(i);
  var valid = t >= 0;
  var o = 0u;
  if (valid) { o = u32(t) * ${FRAME_VEC4S}u; valid = frames[o + 2u].w > 0.5; }
  if (!valid) { gb_means[i * 3u] = 0.0; gb_means[i * 3u + 1u] = 0.0; gb_means[i * 3u + 2u] = 0.0; return; }
  let v0 = frames[o].xyz;
  let v1 = frames[o + 1u].xyz;
  let v2 = frames[o + 2u].xyz;
  let n = frames[o + 3u].xyz;
  let gm = vec3f(g_means[i * 3u], g_means[i * 3u + 1u], g_means[i * 3u + 2u]);
  let b0 = b_means[i * 3u];
  let b1 = b_means[i * 3u + 1u];
  let d = b_means[i * 3u + 2u];
  let learn = (B.flags & ${FLAG_LEARN_BARYCENTRICS}u) != 0u;
  gb_means[i * 3u] = select(0.0, dot(gm, v0 - v2), learn);
  gb_means[i * 3u + 1u] = select(0.0, dot(gm, v1 - v2), learn);
  gb_means[i * 3u + 2u] = dot(gm, n);
  let a = u32(t) * ${ACCUM_FLOATS}u;
  for (var c = 0u; c < 3u; c++) {
    acc_add(a + c, b0 * gm[c]);
    acc_add(a + 3u + c, b1 * gm[c]);
    acc_add(a + 6u + c, gm[c]);
    acc_add(a + 9u + c, d * gm[c]);
  }
  acc_add(a + 12u, g_ls[i * 3u] + g_ls[i * 3u + 1u] + g_ls[i * 3u + 2u]);
}
`;

export const BACKWARD_ROT_WGSL = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> frames: array<vec4f>;
@group(0) @binding(2) var<storage, read> tri_ids: array<f32>;
@group(0) @binding(3) var<storage, read> b_rot: array<f32>;
@group(0) @binding(4) var<storage, read> g_rot: array<f32>;
@group(0) @binding(5) var<storage, read_write> gb_rot: array<f32>;
@group(0) @binding(6) var<storage, read_write> accum: array<atomic<u32>>;
${TRI_OF}
${atomicAddF32('acc_add_raw', 'accum')}
fn acc_add(i: u32, v: f32) { if (v != 0.0) { acc_add_raw(i, v); } }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid_linear(gid, nwg);
  if (i >= B.count) { return; }
  let t = tri_of(i);
  var valid = t >= 0;
  var o = 0u;
  if (valid) { o = u32(t) * ${FRAME_VEC4S}u; valid = frames[o + 2u].w > 0.5; }
  if (!valid) { for (var a = 0u; a < 4u; a++) { gb_rot[i * 4u + a] = 0.0; } return; }
  let qr = frames[o + 4u];
  let raw = vec4f(b_rot[i * 4u], b_rot[i * 4u + 1u], b_rot[i * 4u + 2u], b_rot[i * 4u + 3u]);
  let len = length(raw);
  let ok = len > 0.0 && is_finite(len);
  var ql = vec4f(1.0, 0.0, 0.0, 0.0);
  if (ok) { ql = raw / len; }
  let q = qmul(qr, ql);
  let gq = vec4f(g_rot[i * 4u], g_rot[i * 4u + 1u], g_rot[i * 4u + 2u], g_rot[i * 4u + 3u]);
  // d/d q̂l of qr ⊗ q̂l is left multiplication by conj(qr); then through the normalisation.
  let gl = qmul(vec4f(qr.x, -qr.y, -qr.z, -qr.w), gq);
  var gb = vec4f(0.0);
  if (ok) { gb = (gl - ql * dot(gl, ql)) / len; }
  for (var a = 0u; a < 4u; a++) { gb_rot[i * 4u + a] = gb[a]; }
  // World-frame torque of this Gaussian on its triangle's frame.
  let v = q.yzw;
  let gv = gq.yzw;
  let nu = 0.5 * (q.x * gv - gq.x * v + cross(v, gv));
  let ab = u32(t) * ${ACCUM_FLOATS}u + 13u;
  acc_add(ab, nu.x);
  acc_add(ab + 1u, nu.y);
  acc_add(ab + 2u, nu.z);
}
`;

export const BACKWARD_TRI_WGSL = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> frames: array<vec4f>;
@group(0) @binding(2) var<storage, read> triangles: array<u32>;
@group(0) @binding(3) var<storage, read> accum: array<f32>;
@group(0) @binding(4) var<storage, read_write> g_vertices: array<atomic<u32>>;
${atomicAddF32('gv_add_raw', 'g_vertices')}
fn gv_add(vi: u32, g: vec3f) {
  if (vi >= B.vertex_count) { return; }
  for (var c = 0u; c < 3u; c++) { if (g[c] != 0.0) { gv_add_raw(vi * 3u + c, g[c]); } }
}
fn acc3(i: u32) -> vec3f { return vec3f(accum[i], accum[i + 1u], accum[i + 2u]); }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let t = gid_linear(gid, nwg);
  if (t >= B.tri_count) { return; }
  let o = t * ${FRAME_VEC4S}u;
  if (!(frames[o + 2u].w > 0.5)) { return; }
  let v0 = frames[o].xyz;
  let v1 = frames[o + 1u].xyz;
  let v2 = frames[o + 2u].xyz;
  let k = frames[o + 1u].w;
  let a1 = frames[o + 3u].xyz;
  let e0 = v1 - v0;
  let e1 = v2 - v0;
  let l0 = length(e0);
  let lc = length(cross(e0, e1));
  let a0 = e0 / l0;
  let a2 = cross(a0, a1);
  let ab = t * ${ACCUM_FLOATS}u;
  let sb0g = acc3(ab);
  let sb1g = acc3(ab + 3u);
  let sg = acc3(ab + 6u);
  let sdg = acc3(ab + 9u);
  let slogk = accum[ab + 12u];
  let nu = acc3(ab + 13u);
  let tau = vec3f(dot(a0, nu), dot(a1, nu), dot(a2, nu));
  let ga2 = tau.y * a0;
  let ga0 = tau.z * a1 + cross(a1, ga2);
  let ga1 = tau.x * a2 + sdg + cross(ga2, a0);
  let gk = slogk / k;
  let gl0 = gk * 0.5 * (1.0 - lc / (l0 * l0));
  let glc = gk * 0.5 / l0;
  let gc = (ga1 - a1 * dot(a1, ga1)) / lc + glc * a1;
  let ge0 = (ga0 - a0 * dot(a0, ga0)) / l0 + gl0 * a0 + cross(e1, gc);
  let ge1 = cross(gc, e0);
  gv_add(triangles[t * 3u], sb0g - ge0 - ge1);
  gv_add(triangles[t * 3u + 1u], sb1g + ge0);
  gv_add(triangles[t * 3u + 2u], sg - sb0g - sb1g + ge1);
}
`;
