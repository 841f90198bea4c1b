/**
 * WGSL of the backward pass (CONVENTIONS.md "Backward"):
 * - `backwardPackWgsl`: per-pixel inputs packed into 3 vec4 per pixel
 *   [dr, dg, db, dAlpha], [dDepth, T_final, last (bits), 0], [T_final·bg (rgb), 0], where T_final and `last` (exclusive
 *   end of the pixel's contributors in the sorted intersection list) come from the forward's `aux` image.
 * - `backwardRasterWgsl(F)`: one 16×16 workgroup per tile, back to front through the tile's sorted list in batches;
 *   per-Gaussian gradients are accumulated in workgroup memory (compare-exchange adds on atomic<u32> f32 bits), then
 *   flushed with one global compare-exchange float add per non-zero component per Gaussian per batch.
 *   Output `grad2d`: N × 10 = [du, dv, dConicA, dConicB, dConicC, dOpacity(activated), dR, dG, dB, dDepth].
 * - `backwardProjectWgsl`: 2D → 3D per Gaussian (three entry points to stay within 8 storage buffers).
 * Storage buffers per kernel ≤ 8 (the WebGPU default limit).
 */

import { ROW_SPAN_WGSL } from './kernels/common';

export const GRAD2D_STRIDE = 10;
export const BW_TILE = 16;

/** 'shared': per-pixel invocations, workgroup atomics (GPUs); 'rows': per-row invocations, no workgroup atomics (CPU adapters). */
export type BackwardRasterMode = 'shared' | 'rows';

/** The uniform shared by the backward kernels (byte layout in backward.ts `writeBackwardUniform`). */
export const BW_UNIFORM = /* wgsl */ `
struct BwParams {
  view: mat4x4f,
  campos: vec4f,
  bg: vec4f,
  fx: f32, fy: f32, cx: f32, cy: f32,
  width: u32, height: u32, count: u32, sh_degree: u32,
  near: f32, rgb_stride: u32, flags: u32, feature_dim: u32,
  tiles_x: u32, tiles_y: u32, sh_coeffs: u32, _p1: u32,
};
const FLAG_D_RGB: u32 = 1u;
const FLAG_D_ALPHA: u32 = 2u;
const FLAG_D_DEPTH: u32 = 4u;
const FLAG_D_FEAT: u32 = 8u;
const FLAG_BG_IMAGE: u32 = 16u;
@group(0) @binding(0) var<uniform> P: BwParams;
`;

/** `fn name(i, v)`: f32 add into an atomic<u32> storage array by compare-exchange. */
export function atomicAddF32(fnName: string, buffer: string): string {
  return /* wgsl */ `
fn ${fnName}(i: u32, v: f32) {
  var old = atomicLoad(&${buffer}[i]);
  loop {
    let r = atomicCompareExchangeWeak(&${buffer}[i], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}`;
}

export const backwardPackWgsl = /* wgsl */ `${BW_UNIFORM}
@group(0) @binding(1) var<storage, read> d_rgb: array<f32>;
@group(0) @binding(2) var<storage, read> d_alpha: array<f32>;
@group(0) @binding(3) var<storage, read> d_depth: array<f32>;
@group(0) @binding(4) var<storage, read> aux: array<vec4u>;
@group(0) @binding(5) var<storage, read> bg_image: array<f32>;
@group(0) @binding(6) var<storage, read_write> pix: array<vec4f>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let p = gid.x + gid.y * nwg.x * 256u;
  if (p >= P.width * P.height) { return; }
  var dc = vec3f(0.0);
  if ((P.flags & FLAG_D_RGB) != 0u) {
    let s = P.rgb_stride;
    dc = vec3f(d_rgb[p * s], d_rgb[p * s + 1u], d_rgb[p * s + 2u]);
  }
  let da = select(0.0, d_alpha[p], (P.flags & FLAG_D_ALPHA) != 0u);
  let dd = select(0.0, d_depth[p], (P.flags & FLAG_D_DEPTH) != 0u);
  let t = bitcast<f32>(aux[p].y);
  var bg = P.bg.xyz;
  if ((P.flags & FLAG_BG_IMAGE) != 0u) { bg = vec3f(bg_image[p * 3u], bg_image[p * 3u + 1u], bg_image[p * 3u + 2u]); }
  pix[p * 3u] = vec4f(dc, da);
  pix[p * 3u + 1u] = vec4f(dd, t, bitcast<f32>(aux[p].z), 0.0);
  pix[p * 3u + 2u] = vec4f(t * bg, 0.0);
}
`;

/**
 * Each tile's intersection range cut at its last contributor (the largest `last` of its pixels, from the packed
 * per-pixel data): no Gaussian after it touched a pixel of the tile — in an opaque region the forward stopped long
 * before the end of the list — so the rasteriser backward walks only [start, last). One invocation per tile.
 */
export const backwardTrimRangesWgsl = /* wgsl */ `${BW_UNIFORM}
@group(0) @binding(1) var<storage, read> tile_ranges: array<vec2u>;
@group(0) @binding(2) var<storage, read> pix: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> trimmed: array<vec2u>;
@compute @workgroup_size(16)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let tile = gid.x + gid.y * nwg.x * 16u;
  if (tile >= P.tiles_x * P.tiles_y) { return; }
  let range = tile_ranges[tile];
  let x0 = (tile % P.tiles_x) * 16u;
  let y0 = (tile / P.tiles_x) * 16u;
  let x1 = min(x0 + 16u, P.width);
  let y1 = min(y0 + 16u, P.height);
  var end = range.x;
  for (var y = y0; y < y1; y++) {
    for (var x = x0; x < x1; x++) { end = max(end, bitcast<u32>(pix[(y * P.width + x) * 3u + 1u].z)); }
  }
  trimmed[tile] = vec2u(range.x, min(end, range.y));
}
`;

/**
 * Rasteriser backward for F feature channels. `splats`: the forward's ProjectedSplat, 3 vec4 per Gaussian
 * [u, v, depth, opacity], [conicA, conicB, conicC, –], [r, g, b, –]. `tile_ranges`: vec2u [start, end) per tile.
 */
export function backwardRasterWgsl(F: number, mode: BackwardRasterMode = 'shared'): string {
  if (mode === 'rows') return backwardRasterRowsWgsl(F);
  const NC = 10 + F;
  const BATCH = NC > 16 ? 32 : 64;
  return /* wgsl */ `${BW_UNIFORM}
const F: u32 = ${F}u;
const NC: u32 = ${NC}u;
const BATCH: u32 = ${BATCH}u;
const ALPHA_MAX: f32 = 0.99;
const ALPHA_MIN: f32 = ${1 / 255};
@group(0) @binding(1) var<storage, read> splats: array<vec4f>;
@group(0) @binding(2) var<storage, read> features: array<f32>;
@group(0) @binding(3) var<storage, read> tile_ranges: array<vec2u>;
@group(0) @binding(4) var<storage, read> sorted_ids: array<u32>;
@group(0) @binding(5) var<storage, read> pix: array<vec4f>;
@group(0) @binding(6) var<storage, read> d_feat: array<f32>;
@group(0) @binding(7) var<storage, read_write> grad2d: array<atomic<u32>>;
${F > 0 ? '@group(0) @binding(8) var<storage, read_write> d_features: array<atomic<u32>>;' : ''}
${atomicAddF32('add_grad2d', 'grad2d')}
${F > 0 ? atomicAddF32('add_dfeat', 'd_features') : ''}

// Per-batch gradient accumulators in workgroup memory (f32 bits, compare-exchange adds); flushed to global memory
// with one atomic add per non-zero component per Gaussian per batch.
var<workgroup> acc: array<atomic<u32>, ${BATCH * NC}>;
${atomicAddF32('add_acc', 'acc')}
var<workgroup> batch_ids: array<u32, BATCH>;
var<workgroup> batch_s0: array<vec4f, BATCH>;
var<workgroup> batch_s1: array<vec4f, BATCH>;
var<workgroup> batch_s2: array<vec4f, BATCH>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let tile = wid.x + wid.y * P.tiles_x;
  let px = wid.x * 16u + lid.x;
  let py = wid.y * 16u + lid.y;
  let inside = px < P.width && py < P.height;
  let p = py * P.width + px;
  let range = tile_ranges[tile];
  var dc = vec3f(0.0);
  var da = 0.0;
  var dd = 0.0;
  var t_final = 1.0;
  var last = 0u;
  var B = vec3f(0.0);
  if (inside) {
    let a0 = pix[p * 3u];
    let a1 = pix[p * 3u + 1u];
    dc = a0.xyz;
    da = a0.w;
    dd = a1.x;
    t_final = a1.y;
    last = bitcast<u32>(a1.z);
    B = pix[p * 3u + 2u].xyz;
  }
  let use_feat = (P.flags & FLAG_D_FEAT) != 0u;
  var Bd = 0.0;
  var Bf: array<f32, ${Math.max(F, 1)}>;
  var df: array<f32, ${Math.max(F, 1)}>;
  for (var f = 0u; f < F; f++) {
    Bf[f] = 0.0;
    df[f] = select(0.0, d_feat[p * F + f], inside && use_feat);
  }
  var T = t_final;
  let fx = f32(px) + 0.5;
  let fy = f32(py) + 0.5;
  let count = range.y - range.x;
  var done = 0u;
  loop {
    if (done >= count) { break; }
    let bn = min(BATCH, count - done);
    let bstart = range.y - done - bn; // this batch covers [bstart, bstart + bn), walked from its end
    workgroupBarrier();
    if (li < bn) {
      let g = sorted_ids[bstart + li];
      batch_ids[li] = g;
      batch_s0[li] = splats[g * 3u];
      batch_s1[li] = splats[g * 3u + 1u];
      batch_s2[li] = splats[g * 3u + 2u];
    }
    for (var e = li; e < BATCH * NC; e += 256u) { atomicStore(&acc[e], 0u); }
    workgroupBarrier();
    for (var jj = 0u; jj < bn; jj++) {
      let j = bn - 1u - jj;
      if (!(inside && bstart + j < last)) { continue; }
      let s0 = batch_s0[j];
      let s1 = batch_s1[j];
      let col = batch_s2[j].xyz;
      let dx = fx - s0.x;
      let dy = fy - s0.y;
      let ca = s1.x;
      let cb = s1.y;
      let cc = s1.z;
      let op = s0.w;
      let z = s0.z;
      let power = -0.5 * (ca * dx * dx + cc * dy * dy) - cb * dx * dy;
      let raw = op * exp(power);
      let alpha = min(ALPHA_MAX, raw);
      if (!(power <= 0.0 && alpha >= ALPHA_MIN)) { continue; }
      let inv = 1.0 / (1.0 - alpha);
      T = T * inv;
      let w = alpha * T;
      let a = j * NC;
      var d_alpha = dot(dc, T * col - B * inv);
      add_acc(a + 6u, dc.x * w);
      add_acc(a + 7u, dc.y * w);
      add_acc(a + 8u, dc.z * w);
      B += col * w;
      if (dd != 0.0) { add_acc(a + 9u, dd * w); }
      d_alpha += dd * (T * z - Bd * inv);
      Bd += z * w;
      if (use_feat) {
        let g = batch_ids[j];
        for (var f = 0u; f < F; f++) {
          let fv = features[g * F + f];
          add_acc(a + 10u + f, df[f] * w);
          d_alpha += df[f] * (T * fv - Bf[f] * inv);
          Bf[f] += fv * w;
        }
      }
      d_alpha += da * t_final * inv;
      if (!(raw > ALPHA_MAX)) {
        let G = alpha / op;
        let dp = d_alpha * alpha;
        add_acc(a + 5u, d_alpha * G);
        add_acc(a + 2u, -0.5 * dx * dx * dp);
        add_acc(a + 3u, -dx * dy * dp);
        add_acc(a + 4u, -0.5 * dy * dy * dp);
        add_acc(a + 0u, dp * (ca * dx + cb * dy));
        add_acc(a + 1u, dp * (cc * dy + cb * dx));
      }
    }
    workgroupBarrier();
    for (var e = li; e < bn * NC; e += 256u) {
      let v = bitcast<f32>(atomicLoad(&acc[e]));
      if (v != 0.0) {
        let j = e / NC;
        let c = e % NC;
        let g = batch_ids[j];
        if (c < 10u) { add_grad2d(g * 10u + c, v); }
        ${F > 0 ? 'else { add_dfeat(g * F + (c - 10u), v); }' : ''}
      }
    }
    done += bn;
  }
}
`;
}

/**
 * The rasteriser backward for CPU adapters, same maths as the 'shared' variant: 4 invocations per 16×16 tile, each
 * owning four of its pixel rows (r, r + 4, r + 8, r + 12), walking the tile's list back to front for its 64 pixels, only over the
 * pixels a splat can reach (`row_span`, as the 'rows' forward). An invocation sums its pixels' gradients for a Gaussian
 * privately and stores the sum in workgroup memory, unshared (no atomics: on CPU adapters contended workgroup atomics
 * cost more than the maths); after each batch the 8 sums of each Gaussian are added and flushed with one global float
 * add per non-zero component, as the 'shared' variant does. Four rows an invocation share each splat's loads (on CPU
 * adapters a load costs more than the maths) and quarter that reduction (40 % of the kernel with one row each):
 * standard preset, 256², the kernel on llvmpipe 236 (1 row) → 155 (2) → 135 ms (4; 221 with 8), on SwiftShader
 * 490 (2) → 289 ms (4).
 */
function backwardRasterRowsWgsl(F: number): string {
  const NC = 10 + F;
  const FD = Math.max(F, 1);
  const INV = 4; // invocations per tile
  const RPI = 16 / INV; // rows per invocation
  const PX = 16 * RPI; // pixels per invocation
  // INV × NC floats per Gaussian of the batch, within the 16 KiB of workgroup memory WebGPU guarantees
  const BATCH = Math.max(1, Math.min(64, Math.floor(16384 / (INV * NC * 4))));
  return /* wgsl */ `${BW_UNIFORM}
const F: u32 = ${F}u;
const NC: u32 = ${NC}u;
const BATCH: u32 = ${BATCH}u;
const INV: u32 = ${INV}u;
const RPI: u32 = ${RPI}u;
const ALPHA_MAX: f32 = 0.99;
const ALPHA_MIN: f32 = ${1 / 255};
@group(0) @binding(1) var<storage, read> splats: array<vec4f>;
@group(0) @binding(2) var<storage, read> features: array<f32>;
@group(0) @binding(3) var<storage, read> tile_ranges: array<vec2u>;
@group(0) @binding(4) var<storage, read> sorted_ids: array<u32>;
@group(0) @binding(5) var<storage, read> pix: array<vec4f>;
@group(0) @binding(6) var<storage, read> d_feat: array<f32>;
@group(0) @binding(7) var<storage, read_write> grad2d: array<atomic<u32>>;
${F > 0 ? '@group(0) @binding(8) var<storage, read_write> d_features: array<atomic<u32>>;' : ''}
${atomicAddF32('add_grad2d', 'grad2d')}
${F > 0 ? atomicAddF32('add_dfeat', 'd_features') : ''}
${ROW_SPAN_WGSL}
// invocation sums: part[(j · INV + inv) · NC + c] for the batch's Gaussian j
var<workgroup> part: array<f32, ${BATCH * INV * NC}>;

@compute @workgroup_size(${INV})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let tile = wid.x + wid.y * P.tiles_x;
  let inv = lid.x;
  let x0 = wid.x * 16u;
  let range = tile_ranges[tile];
  let use_feat = (P.flags & FLAG_D_FEAT) != 0u;
  // pixel q = r · 16 + x of this invocation: row wid.y · 16 + inv + r · INV, column x0 + x
  var nx: array<u32, ${RPI}>;
  var dc: array<vec3f, ${PX}>;
  var da: array<f32, ${PX}>;
  var dd: array<f32, ${PX}>;
  var t_final: array<f32, ${PX}>;
  var last: array<u32, ${PX}>;
  var T: array<f32, ${PX}>;
  var B: array<vec3f, ${PX}>;
  var Bd: array<f32, ${PX}>;
  var Bf: array<f32, ${PX * FD}>;
  var df: array<f32, ${PX * FD}>;
  for (var r = 0u; r < RPI; r++) {
    let py = wid.y * 16u + inv + r * INV;
    nx[r] = select(0u, min(16u, P.width - x0), py < P.height && x0 < P.width);
    for (var x = 0u; x < 16u; x++) {
      let q = r * 16u + x;
      dc[q] = vec3f(0.0); da[q] = 0.0; dd[q] = 0.0; t_final[q] = 1.0; last[q] = 0u; B[q] = vec3f(0.0); Bd[q] = 0.0;
      for (var f = 0u; f < ${FD}u; f++) { Bf[q * ${FD}u + f] = 0.0; df[q * ${FD}u + f] = 0.0; }
      if (x < nx[r]) {
        let p = py * P.width + x0 + x;
        let a0 = pix[p * 3u];
        let a1 = pix[p * 3u + 1u];
        dc[q] = a0.xyz;
        da[q] = a0.w;
        dd[q] = a1.x;
        t_final[q] = a1.y;
        last[q] = bitcast<u32>(a1.z);
        B[q] = pix[p * 3u + 2u].xyz;
        for (var f = 0u; f < F; f++) { df[q * ${FD}u + f] = select(0.0, d_feat[p * F + f], use_feat); }
      }
      T[q] = t_final[q];
    }
  }
  let count = range.y - range.x;
  var done = 0u;
  var acc: array<f32, ${NC}>;
  loop {
    if (done >= count) { break; }
    let bn = min(BATCH, count - done);
    let bstart = range.y - done - bn; // this batch covers [bstart, bstart + bn), walked from its end
    workgroupBarrier();
    for (var jj = 0u; jj < bn; jj++) {
      let j = bn - 1u - jj;
      let idx = bstart + j;
      for (var c = 0u; c < NC; c++) { acc[c] = 0.0; }
      let g = sorted_ids[idx];
      let s0 = splats[g * 3u];
      let s1 = splats[g * 3u + 1u];
      let col = splats[g * 3u + 2u].xyz;
      let ca = s1.x;
      let cb = s1.y;
      let cc = s1.z;
      let op = s0.w;
      let z = s0.z;
      for (var r = 0u; r < RPI; r++) {
        let dy = f32(wid.y * 16u + inv + r * INV) + 0.5 - s0.y;
        let span = row_span(s1, dy) + s0.x - 0.5 - f32(x0);
        let n_r = nx[r];
        if (n_r == 0u || span.x > span.y || span.y < 0.0 || span.x >= f32(n_r)) { continue; }
        let xa = u32(max(0.0, floor(span.x)));
        let xb = u32(min(f32(n_r) - 1.0, ceil(span.y)));
        for (var x = xa; x <= xb; x++) {
          let q = r * 16u + x;
          if (!(idx < last[q])) { continue; }
          let dx = f32(x0 + x) + 0.5 - s0.x;
          let power = -0.5 * (ca * dx * dx + cc * dy * dy) - cb * dx * dy;
          let raw = op * exp(power);
          let alpha = min(ALPHA_MAX, raw);
          if (!(power <= 0.0 && alpha >= ALPHA_MIN)) { continue; }
          let inv_a = 1.0 / (1.0 - alpha);
          let Tq = T[q] * inv_a;
          T[q] = Tq;
          let w = alpha * Tq;
          let dcq = dc[q];
          var d_alpha = dot(dcq, Tq * col - B[q] * inv_a);
          acc[6] += dcq.x * w;
          acc[7] += dcq.y * w;
          acc[8] += dcq.z * w;
          B[q] += col * w;
          acc[9] += dd[q] * w;
          d_alpha += dd[q] * (Tq * z - Bd[q] * inv_a);
          Bd[q] += z * w;
          if (use_feat) {
            for (var f = 0u; f < F; f++) {
              let fv = features[g * F + f];
              let dfq = df[q * ${FD}u + f];
              acc[10u + f] += dfq * w;
              d_alpha += dfq * (Tq * fv - Bf[q * ${FD}u + f] * inv_a);
              Bf[q * ${FD}u + f] += fv * w;
            }
          }
          d_alpha += da[q] * t_final[q] * inv_a;
          if (!(raw > ALPHA_MAX)) {
            let G = alpha / op;
            let dp = d_alpha * alpha;
            acc[5] += d_alpha * G;
            acc[2] += -0.5 * dx * dx * dp;
            acc[3] += -dx * dy * dp;
            acc[4] += -0.5 * dy * dy * dp;
            acc[0] += dp * (ca * dx + cb * dy);
            acc[1] += dp * (cc * dy + cb * dx);
          }
        }
      }
      for (var c = 0u; c < NC; c++) { part[(j * INV + inv) * NC + c] = acc[c]; }
    }
    workgroupBarrier();
    for (var j = inv; j < bn; j += INV) {
      let g = sorted_ids[bstart + j];
      for (var c = 0u; c < NC; c++) {
        var v = 0.0;
        for (var k = 0u; k < INV; k++) { v += part[(j * INV + k) * NC + c]; }
        if (v != 0.0) {
          if (c < 10u) { add_grad2d(g * 10u + c, v); }
          ${F > 0 ? 'else { add_dfeat(g * F + (c - 10u), v); }' : ''}
        }
      }
    }
    done += bn;
  }
}
`;
}

/** SH basis values and derivatives (degrees 0–3, 3DGS order); port of reference/sh.ts. */
const SH_WGSL = /* wgsl */ `
const SH_C0: f32 = 0.28209479177387814;
const SH_C1: f32 = 0.4886025119029199;
const SH_C2 = array<f32, 5>(1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792, 0.5462742152960396);
const SH_C3 = array<f32, 7>(-0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154, -0.4570457994644658, 1.445305721320277, -0.5900435899266435);
struct ShBasis { b: array<f32, 16>, db: array<vec3f, 16> };
fn sh_basis(deg: u32, d: vec3f) -> ShBasis {
  var r: ShBasis;
  for (var k = 0u; k < 16u; k++) { r.b[k] = 0.0; r.db[k] = vec3f(0.0); }
  let x = d.x; let y = d.y; let z = d.z;
  r.b[0] = SH_C0;
  if (deg >= 1u) {
    r.b[1] = -SH_C1 * y; r.b[2] = SH_C1 * z; r.b[3] = -SH_C1 * x;
    r.db[1] = vec3f(0.0, -SH_C1, 0.0); r.db[2] = vec3f(0.0, 0.0, SH_C1); r.db[3] = vec3f(-SH_C1, 0.0, 0.0);
  }
  if (deg >= 2u) {
    let xx = x * x; let yy = y * y; let zz = z * z;
    r.b[4] = SH_C2[0] * x * y;
    r.b[5] = SH_C2[1] * y * z;
    r.b[6] = SH_C2[2] * (2.0 * zz - xx - yy);
    r.b[7] = SH_C2[3] * x * z;
    r.b[8] = SH_C2[4] * (xx - yy);
    r.db[4] = SH_C2[0] * vec3f(y, x, 0.0);
    r.db[5] = SH_C2[1] * vec3f(0.0, z, y);
    r.db[6] = SH_C2[2] * vec3f(-2.0 * x, -2.0 * y, 4.0 * z);
    r.db[7] = SH_C2[3] * vec3f(z, 0.0, x);
    r.db[8] = SH_C2[4] * vec3f(2.0 * x, -2.0 * y, 0.0);
    if (deg >= 3u) {
      r.b[9] = SH_C3[0] * y * (3.0 * xx - yy);
      r.b[10] = SH_C3[1] * x * y * z;
      r.b[11] = SH_C3[2] * y * (4.0 * zz - xx - yy);
      r.b[12] = SH_C3[3] * z * (2.0 * zz - 3.0 * xx - 3.0 * yy);
      r.b[13] = SH_C3[4] * x * (4.0 * zz - xx - yy);
      r.b[14] = SH_C3[5] * z * (xx - yy);
      r.b[15] = SH_C3[6] * x * (xx - 3.0 * yy);
      r.db[9] = SH_C3[0] * vec3f(6.0 * x * y, 3.0 * xx - 3.0 * yy, 0.0);
      r.db[10] = SH_C3[1] * vec3f(y * z, x * z, x * y);
      r.db[11] = SH_C3[2] * vec3f(-2.0 * x * y, 4.0 * zz - xx - 3.0 * yy, 8.0 * y * z);
      r.db[12] = SH_C3[3] * vec3f(-6.0 * x * z, -6.0 * y * z, 6.0 * zz - 3.0 * xx - 3.0 * yy);
      r.db[13] = SH_C3[4] * vec3f(4.0 * zz - 3.0 * xx - yy, -2.0 * x * y, 8.0 * x * z);
      r.db[14] = SH_C3[5] * vec3f(2.0 * x * z, -2.0 * y * z, xx - yy);
      r.db[15] = SH_C3[6] * vec3f(3.0 * xx - 3.0 * yy, -6.0 * x * y, 0.0);
    }
  }
  return r;
}
`;

/** Recomputes the forward projection of Gaussian i (same culls as the forward) and backpropagates. */
const PROJECT_COMMON = /* wgsl */ `${BW_UNIFORM}${SH_WGSL}
const LOW_PASS: f32 = 0.3;
struct Proj {
  visible: bool,
  t: vec3f,
  W: mat3x3f,      // rotation part of the view matrix (columns as in the view matrix)
  R: mat3x3f,
  s: vec3f,
  M: mat3x3f,      // R·S
  Sigma: mat3x3f,
  T: mat3x2f,      // J·W as 3 columns of vec2
  tx: f32,
  ty: f32,
  clamp_x: bool,
  clamp_y: bool,
  conic: vec3f,
  dir: vec3f,
  dir_len: f32,
};

fn all_finite4(v: vec4f) -> bool { return all(abs(v) <= vec4f(3.0e38)); }
fn all_finite3(v: vec3f) -> bool { return all(abs(v) <= vec3f(3.0e38)); }

fn quat_to_mat(q: vec4f) -> mat3x3f {
  let w = q.x; let x = q.y; let y = q.z; let z = q.w;
  // columns
  return mat3x3f(
    vec3f(1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y + w * z), 2.0 * (x * z - w * y)),
    vec3f(2.0 * (x * y - w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z + w * x)),
    vec3f(2.0 * (x * z + w * y), 2.0 * (y * z - w * x), 1.0 - 2.0 * (x * x + y * y)));
}

fn project(mean: vec3f, log_scale: vec3f, qraw: vec4f, sh_ok: bool) -> Proj {
  var o: Proj;
  o.visible = false;
  if (!(all_finite3(mean) && all_finite3(log_scale) && all_finite4(qraw) && sh_ok)) { return o; }
  let t = (P.view * vec4f(mean, 1.0)).xyz;
  o.t = t;
  let z = t.z;
  if (!(z > P.near)) { return o; }
  o.W = mat3x3f(P.view[0].xyz, P.view[1].xyz, P.view[2].xyz);
  let qlen = length(qraw);
  var q = vec4f(1.0, 0.0, 0.0, 0.0);
  if (qlen > 0.0) { q = qraw / qlen; }
  o.R = quat_to_mat(q);
  o.s = exp(log_scale);
  o.M = mat3x3f(o.R[0] * o.s.x, o.R[1] * o.s.y, o.R[2] * o.s.z);
  o.Sigma = o.M * transpose(o.M);
  let lim_x = 1.3 * (0.5 * f32(P.width)) / P.fx;
  let lim_y = 1.3 * (0.5 * f32(P.height)) / P.fy;
  let txz = t.x / z;
  let tyz = t.y / z;
  o.clamp_x = !(txz >= -lim_x && txz <= lim_x);
  o.clamp_y = !(tyz >= -lim_y && tyz <= lim_y);
  o.tx = clamp(txz, -lim_x, lim_x) * z;
  o.ty = clamp(tyz, -lim_y, lim_y) * z;
  // J as 3 columns of vec2 (2×3)
  let J = mat3x2f(vec2f(P.fx / z, 0.0), vec2f(0.0, P.fy / z), vec2f(-P.fx * o.tx / (z * z), -P.fy * o.ty / (z * z)));
  o.T = J * o.W;
  let cov = o.T * o.Sigma * transpose(o.T);
  let s00 = cov[0][0] + LOW_PASS;
  let s01 = cov[1][0];
  let s11 = cov[1][1] + LOW_PASS;
  let det = s00 * s11 - s01 * s01;
  if (!(det > 0.0)) { return o; }
  o.conic = vec3f(s11 / det, -s01 / det, s00 / det);
  let mid = 0.5 * (s00 + s11);
  let lambda = mid + sqrt(max(0.0, mid * mid - det));
  let radius = ceil(3.0 * sqrt(lambda));
  let u = P.fx * t.x / z + P.cx;
  let v = P.fy * t.y / z + P.cy;
  if (!(u + radius > 0.0 && u - radius < f32(P.width) && v + radius > 0.0 && v - radius < f32(P.height))) { return o; }
  let dv = mean - P.campos.xyz;
  o.dir_len = length(dv);
  o.dir = select(vec3f(0.0, 0.0, 1.0), dv / o.dir_len, o.dir_len > 0.0);
  o.visible = true;
  return o;
}
`;

/**
 * Opacity gradient (through the sigmoid) and densification statistics, per Gaussian. `tile_info.x` is the forward's
 * radius (0 = culled). stats (N×4): du, dv of this backward, Σ‖(du, dv)‖, number of backward passes visible.
 */
export const backwardStatsWgsl = /* wgsl */ `${BW_UNIFORM}
@group(0) @binding(1) var<storage, read> grad2d: array<f32>;
@group(0) @binding(2) var<storage, read> opacities: array<f32>;
@group(0) @binding(3) var<storage, read> tile_info: array<vec4u>;
@group(0) @binding(4) var<storage, read_write> d_opacities: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= P.count) { return; }
  let g0 = i * 10u;
  let visible = tile_info[i].x > 0u;
  let du = select(0.0, grad2d[g0], visible);
  let dv = select(0.0, grad2d[g0 + 1u], visible);
  stats[i * 4u] = du;
  stats[i * 4u + 1u] = dv;
  if (!visible) { return; }
  let op = 1.0 / (1.0 + exp(-opacities[i]));
  d_opacities[i] += grad2d[g0 + 5u] * op * (1.0 - op);
  stats[i * 4u + 2u] += length(vec2f(du, dv));
  stats[i * 4u + 3u] += 1.0;
}
`;

/**
 * Projection backward (recomputes the forward projection of each Gaussian), two kernels to stay within 8 storage
 * buffers: 'geom': means, logScales, rotations, sh, grad2d → dMeans, dLogScales, dRotations; 'sh': → dSh.
 */
export function backwardProjectWgsl(entry: 'geom' | 'sh'): string {
  const bindings = /* wgsl */ `
@group(0) @binding(1) var<storage, read> means: array<f32>;
@group(0) @binding(2) var<storage, read> log_scales: array<f32>;
@group(0) @binding(3) var<storage, read> rotations: array<f32>;
@group(0) @binding(4) var<storage, read> sh: array<f32>;
@group(0) @binding(5) var<storage, read> grad2d: array<f32>;
${
  entry === 'geom'
    ? `@group(0) @binding(6) var<storage, read_write> d_means: array<f32>;
@group(0) @binding(7) var<storage, read_write> d_log_scales: array<f32>;
@group(0) @binding(8) var<storage, read_write> d_rotations: array<f32>;`
    : `@group(0) @binding(6) var<storage, read_write> d_sh: array<f32>;`
}`;
  return /* wgsl */ `${PROJECT_COMMON}${bindings}

fn sh_finite(i: u32, K: u32) -> bool {
  for (var k = 0u; k < K * 3u; k++) { if (!(abs(sh[i * K * 3u + k]) <= 3.0e38)) { return false; } }
  return true;
}

fn raw_color(i: u32, K: u32, KA: u32, basis: ShBasis) -> vec3f {
  var c = vec3f(0.5);
  for (var k = 0u; k < KA; k++) {
    let o = (i * K + k) * 3u;
    c += basis.b[k] * vec3f(sh[o], sh[o + 1u], sh[o + 2u]);
  }
  return c;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= P.count) { return; }
  let K = P.sh_coeffs;                               // storage stride
  let KA = (P.sh_degree + 1u) * (P.sh_degree + 1u);  // active coefficients
  let mean = vec3f(means[i * 3u], means[i * 3u + 1u], means[i * 3u + 2u]);
  let ls = vec3f(log_scales[i * 3u], log_scales[i * 3u + 1u], log_scales[i * 3u + 2u]);
  let qraw = vec4f(rotations[i * 4u], rotations[i * 4u + 1u], rotations[i * 4u + 2u], rotations[i * 4u + 3u]);
  let pr = project(mean, ls, qraw, sh_finite(i, K));
  if (!pr.visible) { return; }
  let g0 = i * 10u;
  let du = grad2d[g0];
  let dv = grad2d[g0 + 1u];
  let dcolor = vec3f(grad2d[g0 + 6u], grad2d[g0 + 7u], grad2d[g0 + 8u]);
  let basis = sh_basis(P.sh_degree, pr.dir);
  let raw = raw_color(i, K, KA, basis);
  let gcol = select(vec3f(0.0), dcolor, raw > vec3f(0.0));
${
  entry === 'sh'
    ? `  for (var k = 0u; k < KA; k++) {
    let o = (i * K + k) * 3u;
    d_sh[o] += basis.b[k] * gcol.x;
    d_sh[o + 1u] += basis.b[k] * gcol.y;
    d_sh[o + 2u] += basis.b[k] * gcol.z;
  }
}`
    : `  // conic = inverse(cov2d)
  let a = pr.conic.x; let b = pr.conic.y; let c = pr.conic.z;
  let Q = mat2x2f(vec2f(a, b), vec2f(b, c));
  let Gq = mat2x2f(vec2f(grad2d[g0 + 2u], 0.5 * grad2d[g0 + 3u]), vec2f(0.5 * grad2d[g0 + 3u], grad2d[g0 + 4u]));
  let Gm = (Q * Gq * Q) * -1.0;
  // dΣ3 = Tᵀ Gm T ; dT = 2 Gm T Σ3
  let dSigma = transpose(pr.T) * Gm * pr.T;
  let dT = 2.0 * (Gm * pr.T * pr.Sigma);
  // T = J W → dJ = dT Wᵀ
  let dJ = dT * transpose(pr.W);
  let z = pr.t.z;
  let z2 = z * z;
  let z3 = z2 * z;
  var dt = vec3f(0.0);
  dt.x += select(-P.fx / z2 * dJ[2][0], 0.0, pr.clamp_x);
  dt.y += select(-P.fy / z2 * dJ[2][1], 0.0, pr.clamp_y);
  dt.z += -P.fx / z2 * dJ[0][0] - P.fy / z2 * dJ[1][1] + 2.0 * P.fx * pr.tx / z3 * dJ[2][0] + 2.0 * P.fy * pr.ty / z3 * dJ[2][1];
  dt.x += P.fx / z * du;
  dt.y += P.fy / z * dv;
  dt.z += -P.fx * pr.t.x / z2 * du - P.fy * pr.t.y / z2 * dv + grad2d[g0 + 9u];
  var dmean = transpose(pr.W) * dt;
  // view-direction path of the SH colour
  var ddir = vec3f(0.0);
  for (var k = 0u; k < KA; k++) {
    let o = (i * K + k) * 3u;
    ddir += dot(vec3f(sh[o], sh[o + 1u], sh[o + 2u]), gcol) * basis.db[k];
  }
  if (pr.dir_len > 0.0) { dmean += (ddir - pr.dir * dot(pr.dir, ddir)) / pr.dir_len; }
  d_means[i * 3u] += dmean.x;
  d_means[i * 3u + 1u] += dmean.y;
  d_means[i * 3u + 2u] += dmean.z;
  // Σ3 = M Mᵀ, M = R S
  let dM = 2.0 * (dSigma * pr.M);
  let dR = mat3x3f(dM[0] * pr.s.x, dM[1] * pr.s.y, dM[2] * pr.s.z);
  let ds = vec3f(dot(dM[0], pr.R[0]), dot(dM[1], pr.R[1]), dot(dM[2], pr.R[2]));
  d_log_scales[i * 3u] += ds.x * pr.s.x;
  d_log_scales[i * 3u + 1u] += ds.y * pr.s.y;
  d_log_scales[i * 3u + 2u] += ds.z * pr.s.z;
  // quaternion backward; G[r][c] = dR[c][r] (WGSL matrices are column-major)
  let qlen = length(qraw);
  if (qlen > 0.0) {
    let q = qraw / qlen;
    let w = q.x; let x = q.y; let y = q.z; let zq = q.w;
    let G00 = dR[0][0]; let G01 = dR[1][0]; let G02 = dR[2][0];
    let G10 = dR[0][1]; let G11 = dR[1][1]; let G12 = dR[2][1];
    let G20 = dR[0][2]; let G21 = dR[1][2]; let G22 = dR[2][2];
    let dw = 2.0 * (-zq * G01 + y * G02 + zq * G10 - x * G12 - y * G20 + x * G21);
    let dx = 2.0 * (y * G01 + zq * G02 + y * G10 - 2.0 * x * G11 - w * G12 + zq * G20 + w * G21 - 2.0 * x * G22);
    let dy = 2.0 * (-2.0 * y * G00 + x * G01 + w * G02 + x * G10 + zq * G12 - w * G20 + zq * G21 - 2.0 * y * G22);
    let dz = 2.0 * (-2.0 * zq * G00 - w * G01 + x * G02 + w * G10 - 2.0 * zq * G11 + y * G12 + x * G20 + y * G21);
    let dq = vec4f(dw, dx, dy, dz);
    let dqr = (dq - q * dot(q, dq)) / qlen;
    d_rotations[i * 4u] += dqr.x;
    d_rotations[i * 4u + 1u] += dqr.y;
    d_rotations[i * 4u + 2u] += dqr.z;
    d_rotations[i * 4u + 3u] += dqr.w;
  }
}`
}
`;
}
