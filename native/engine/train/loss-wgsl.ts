/**
 * WGSL of the fused photometric loss: (1 − λ)·L1 + λ·(1 − SSIM), 11×11 Gaussian window σ = 1.5, zero padding,
 * optional per-pixel weight mask. Four image passes over a (x, y, channel or plane) grid of 16×16 workgroups — no
 * integer division per pixel, which CPU adapters scalarise — and two reductions (see loss.ts); images are f32 with `stride` floats per pixel and the
 * first three channels are RGB. Intermediate planes are planar: plane-major, H·W each.
 */
import { gaussianWindow, SSIM_C1, SSIM_C2 } from '../reference/losses';

const taps = gaussianWindow().map((w) => w.toPrecision(9)).join(', ');
/** The 11 taps of a blur written out (k = 0..10), so CPU adapters see no loop and no dynamic array index. */
const unrolled = (tap: (k: number) => string) => Array.from({ length: 11 }, (_, k) => tap(k)).join('\n');

const COMMON = /* wgsl */ `
struct Params {
  width: u32,
  height: u32,
  stride: u32,
  use_mask: u32,
  lambda: f32,
  _p0: f32,
  _p1: f32,
  _p2: f32,
};
const WIN = array<f32, 11>(${taps});
const C1: f32 = ${SSIM_C1};
const C2: f32 = ${SSIM_C2};
@group(0) @binding(0) var<uniform> P: Params;
`;

/** Mask sum (or H·W without mask) into result[3]; one workgroup. */
export const MASK_SUM = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<f32>;
var<workgroup> part: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32) {
  let n = P.width * P.height;
  var s = 0.0;
  if (P.use_mask != 0u) {
    for (var i = li; i < n; i += 256u) { s += mask[i]; }
  }
  part[li] = s;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (li < w) { part[li] += part[li + w]; }
    workgroupBarrier();
  }
  if (li == 0u) {
    result[3] = select(f32(n), part[0], P.use_mask != 0u);
  }
}
`;

/** Horizontal blur of x, y, x², y², xy per channel: thread per (x, y, channel); writes 15 planes. Taps unrolled. */
export const SSIM_BLUR_H = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> render: array<f32>;
@group(0) @binding(2) var<storage, read> target_img: array<f32>;
@group(0) @binding(3) var<storage, read_write> planes: array<f32>;
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = P.width * P.height;
  if (gid.x >= P.width || gid.y >= P.height) { return; }
  let c = gid.z;
  let row = gid.y * P.width;
  let p = row + gid.x;
  let x0 = i32(gid.x);
  var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0; var s4 = 0.0;
${unrolled((k) => `  {
    let xx = x0 + ${k - 5};
    if (xx >= 0 && xx < i32(P.width)) {
      let q = row + u32(xx);
      let a = render[q * P.stride + c];
      let b = target_img[q * P.stride + c];
      let w = WIN[${k}];
      s0 += w * a; s1 += w * b; s2 += w * a * a; s3 += w * b * b; s4 += w * a * b;
    }
  }`)}
  planes[(c * 5u) * n + p] = s0;
  planes[(c * 5u + 1u) * n + p] = s1;
  planes[(c * 5u + 2u) * n + p] = s2;
  planes[(c * 5u + 3u) * n + p] = s3;
  planes[(c * 5u + 4u) * n + p] = s4;
}
`;

/**
 * Vertical blur, per-pixel SSIM and its partial derivatives (pre-multiplied by mask/denominator):
 * writes 9 gradient planes (per channel: ∂/∂μx, ∂/∂E[x²], ∂/∂E[xy]) and the weighted SSIM per (channel, pixel).
 */
export const SSIM_BLUR_V = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> planes: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read> result: array<f32>;
@group(0) @binding(4) var<storage, read_write> gmaps: array<f32>;
@group(0) @binding(5) var<storage, read_write> pix: array<f32>;
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = P.width * P.height;
  if (gid.x >= P.width || gid.y >= P.height) { return; }
  let c = gid.z;
  let x = gid.x;
  let p = gid.y * P.width + x;
  let y0 = i32(gid.y);
  var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0; var s4 = 0.0;
  let base = c * 5u * n;
${unrolled((k) => `  {
    let yy = y0 + ${k - 5};
    if (yy >= 0 && yy < i32(P.height)) {
      let q = base + u32(yy) * P.width + x;
      let w = WIN[${k}];
      s0 += w * planes[q]; s1 += w * planes[q + n]; s2 += w * planes[q + 2u * n]; s3 += w * planes[q + 3u * n]; s4 += w * planes[q + 4u * n];
    }
  }`)}
  let mx = s0;
  let my = s1;
  let sxx = s2 - mx * mx;
  let syy = s3 - my * my;
  let sxy = s4 - mx * my;
  let A = 2.0 * mx * my + C1;
  let B = 2.0 * sxy + C2;
  let Cc = mx * mx + my * my + C1;
  let D = sxx + syy + C2;
  let ssim = (A * B) / (Cc * D);
  let denom = 3.0 * result[3];
  var w = select(1.0, mask[p], P.use_mask != 0u) / denom;
  if (!(denom > 0.0)) { w = 0.0; }
  let dSxx = -ssim / D;
  let dSxy = 2.0 * A / (Cc * D);
  let dMu = 2.0 * my * B / (Cc * D) - ssim * 2.0 * mx / Cc;
  gmaps[(c * 3u + 0u) * n + p] = w * (dMu - 2.0 * mx * dSxx - my * dSxy);
  gmaps[(c * 3u + 1u) * n + p] = w * dSxx;
  gmaps[(c * 3u + 2u) * n + p] = w * dSxy;
  pix[3u * n + c * n + p] = w * ssim;
}
`;

/** Horizontal blur of the 9 gradient planes: thread per (plane, pixel). */
export const GRAD_BLUR_H = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = P.width * P.height;
  if (gid.x >= P.width || gid.y >= P.height) { return; }
  let plane = gid.z;
  let row = gid.y * P.width;
  let p = row + gid.x;
  let x0 = i32(gid.x);
  var s = 0.0;
  let base = plane * n + row;
${unrolled((k) => `  { let xx = x0 + ${k - 5}; if (xx >= 0 && xx < i32(P.width)) { s += WIN[${k}] * src[base + u32(xx)]; } }`)}
  dst[plane * n + p] = s;
}
`;

/** Vertical blur of the gradient planes and the final dL/drender (L1 + D-SSIM); writes weighted |r − t|. */
export const GRAD_FINAL = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> tmp: array<f32>;
@group(0) @binding(2) var<storage, read> render: array<f32>;
@group(0) @binding(3) var<storage, read> target_img: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<f32>;
@group(0) @binding(5) var<storage, read> result: array<f32>;
@group(0) @binding(6) var<storage, read_write> d_render: array<f32>;
@group(0) @binding(7) var<storage, read_write> pix: array<f32>;
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = P.width * P.height;
  if (gid.x >= P.width || gid.y >= P.height) { return; }
  let c = gid.z;
  let x = gid.x;
  let p = gid.y * P.width + x;
  let y0 = i32(gid.y);
  var b = vec3f(0.0);
  let base = c * 3u * n;
${unrolled((k) => `  {
    let yy = y0 + ${k - 5};
    if (yy >= 0 && yy < i32(P.height)) {
      let q = base + u32(yy) * P.width + x;
      b += WIN[${k}] * vec3f(tmp[q], tmp[q + n], tmp[q + 2u * n]);
    }
  }`)}
  let r = render[p * P.stride + c];
  let t = target_img[p * P.stride + c];
  let denom = 3.0 * result[3];
  var w = select(1.0, mask[p], P.use_mask != 0u) / denom;
  if (!(denom > 0.0)) { w = 0.0; }
  let d_ssim = b.x + 2.0 * r * b.y + t * b.z;
  let d = r - t;
  d_render[p * P.stride + c] = (1.0 - P.lambda) * w * sign(d) - P.lambda * d_ssim;
  if (c == 0u && P.stride > 3u) {
    for (var e = 3u; e < P.stride; e++) { d_render[p * P.stride + e] = 0.0; }
  }
  pix[c * n + p] = w * abs(d);
}
`;

/** Sums the weighted L1 and SSIM terms: result = [l1, ssim, loss, maskSum]; one workgroup. */
export const LOSS_REDUCE = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> pix: array<f32>;
@group(0) @binding(2) var<storage, read_write> result: array<f32>;
var<workgroup> part: array<vec2f, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) li: u32) {
  let n = 3u * P.width * P.height;
  var s = vec2f(0.0);
  for (var i = li; i < n; i += 256u) { s += vec2f(pix[i], pix[n + i]); }
  part[li] = s;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (li < w) { part[li] += part[li + w]; }
    workgroupBarrier();
  }
  if (li == 0u) {
    result[0] = part[0].x;
    result[1] = part[0].y;
    result[2] = (1.0 - P.lambda) * part[0].x + P.lambda * (1.0 - part[0].y);
  }
}
`;

/**
 * CPU-adapter variants of the four image passes, the same sums in the same order: one invocation walks a whole row
 * (horizontal blurs) or column (vertical blurs) of one channel or plane, keeping the last 11 samples in registers, so
 * each input value is loaded once instead of 11 times — on CPU adapters a storage load costs far more than the
 * arithmetic (llvmpipe: 87 → 8 ms for a 256² vertical blur of 5 planes, measured). Positions outside the image hold 0
 * in the window, as the per-pixel passes skip them. Dispatched as (lines / 64) × channels or planes.
 */
const shiftWindow = (names: string[]) => Array.from({ length: 10 }, (_, k) => names.map((w) => `${w}[${k}] = ${w}[${k + 1}];`).join(' ')).join('\n    ');
const windowDecl = (names: string[]) => names.map((w) => `var ${w}: array<f32, 11>;`).join(' ') + `\n  for (var k = 0u; k < 11u; k++) { ${names.map((w) => `${w}[k] = 0.0;`).join(' ')} }`;
const windowSum = (acc: string, expr: (k: number) => string) => Array.from({ length: 11 }, (_, k) => `${acc} += ${expr(k)};`).join(' ');

export const SSIM_BLUR_H_WALK = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> render: array<f32>;
@group(0) @binding(2) var<storage, read> target_img: array<f32>;
@group(0) @binding(3) var<storage, read_write> planes: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = P.width * P.height;
  let y = gid.x;
  let c = gid.y;
  if (y >= P.height) { return; }
  let row = y * P.width;
  ${windowDecl(['wa', 'wb'])}
  for (var x = 0u; x < P.width + 5u; x++) {
    ${shiftWindow(['wa', 'wb'])}
    var a = 0.0; var b = 0.0;
    if (x < P.width) { a = render[(row + x) * P.stride + c]; b = target_img[(row + x) * P.stride + c]; }
    wa[10] = a; wb[10] = b;
    if (x >= 5u) {
      let p = row + x - 5u;
      var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0; var s4 = 0.0;
      ${Array.from({ length: 11 }, (_, k) => `{ let w = WIN[${k}]; let a = wa[${k}]; let b = wb[${k}]; s0 += w * a; s1 += w * b; s2 += w * a * a; s3 += w * b * b; s4 += w * a * b; }`).join('\n      ')}
      planes[(c * 5u) * n + p] = s0;
      planes[(c * 5u + 1u) * n + p] = s1;
      planes[(c * 5u + 2u) * n + p] = s2;
      planes[(c * 5u + 3u) * n + p] = s3;
      planes[(c * 5u + 4u) * n + p] = s4;
    }
  }
}
`;

export const SSIM_BLUR_V_WALK = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> planes: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read> result: array<f32>;
@group(0) @binding(4) var<storage, read_write> gmaps: array<f32>;
@group(0) @binding(5) var<storage, read_write> pix: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = P.width * P.height;
  let x = gid.x;
  let c = gid.y;
  if (x >= P.width) { return; }
  let base = c * 5u * n;
  let denom = 3.0 * result[3];
  ${windowDecl(['w0', 'w1', 'w2', 'w3', 'w4'])}
  for (var y = 0u; y < P.height + 5u; y++) {
    ${shiftWindow(['w0', 'w1', 'w2', 'w3', 'w4'])}
    if (y < P.height) {
      let q = base + y * P.width + x;
      w0[10] = planes[q]; w1[10] = planes[q + n]; w2[10] = planes[q + 2u * n]; w3[10] = planes[q + 3u * n]; w4[10] = planes[q + 4u * n];
    } else {
      w0[10] = 0.0; w1[10] = 0.0; w2[10] = 0.0; w3[10] = 0.0; w4[10] = 0.0;
    }
    if (y >= 5u) {
      let p = (y - 5u) * P.width + x;
      var s0 = 0.0; var s1 = 0.0; var s2 = 0.0; var s3 = 0.0; var s4 = 0.0;
      ${Array.from({ length: 11 }, (_, k) => `{ let w = WIN[${k}]; s0 += w * w0[${k}]; s1 += w * w1[${k}]; s2 += w * w2[${k}]; s3 += w * w3[${k}]; s4 += w * w4[${k}]; }`).join('\n      ')}
      let mx = s0;
      let my = s1;
      let sxx = s2 - mx * mx;
      let syy = s3 - my * my;
      let sxy = s4 - mx * my;
      let A = 2.0 * mx * my + C1;
      let B = 2.0 * sxy + C2;
      let Cc = mx * mx + my * my + C1;
      let D = sxx + syy + C2;
      let ssim = (A * B) / (Cc * D);
      var w = select(1.0, mask[p], P.use_mask != 0u) / denom;
      if (!(denom > 0.0)) { w = 0.0; }
      let dSxx = -ssim / D;
      let dSxy = 2.0 * A / (Cc * D);
      let dMu = 2.0 * my * B / (Cc * D) - ssim * 2.0 * mx / Cc;
      gmaps[(c * 3u + 0u) * n + p] = w * (dMu - 2.0 * mx * dSxx - my * dSxy);
      gmaps[(c * 3u + 1u) * n + p] = w * dSxx;
      gmaps[(c * 3u + 2u) * n + p] = w * dSxy;
      pix[3u * n + c * n + p] = w * ssim;
    }
  }
}
`;

export const GRAD_BLUR_H_WALK = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = P.width * P.height;
  let y = gid.x;
  let plane = gid.y;
  if (y >= P.height) { return; }
  let base = plane * n + y * P.width;
  ${windowDecl(['wv'])}
  for (var x = 0u; x < P.width + 5u; x++) {
    ${shiftWindow(['wv'])}
    wv[10] = select(0.0, src[base + min(x, P.width - 1u)], x < P.width);
    if (x >= 5u) {
      var s = 0.0;
      ${windowSum('s', (k) => `WIN[${k}] * wv[${k}]`)}
      dst[base + x - 5u] = s;
    }
  }
}
`;

export const GRAD_FINAL_WALK = /* wgsl */ `${COMMON}
@group(0) @binding(1) var<storage, read> tmp: array<f32>;
@group(0) @binding(2) var<storage, read> render: array<f32>;
@group(0) @binding(3) var<storage, read> target_img: array<f32>;
@group(0) @binding(4) var<storage, read> mask: array<f32>;
@group(0) @binding(5) var<storage, read> result: array<f32>;
@group(0) @binding(6) var<storage, read_write> d_render: array<f32>;
@group(0) @binding(7) var<storage, read_write> pix: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let n = P.width * P.height;
  let x = gid.x;
  let c = gid.y;
  if (x >= P.width) { return; }
  let base = c * 3u * n;
  let denom = 3.0 * result[3];
  ${windowDecl(['t0', 't1', 't2'])}
  for (var y = 0u; y < P.height + 5u; y++) {
    ${shiftWindow(['t0', 't1', 't2'])}
    if (y < P.height) {
      let q = base + y * P.width + x;
      t0[10] = tmp[q]; t1[10] = tmp[q + n]; t2[10] = tmp[q + 2u * n];
    } else {
      t0[10] = 0.0; t1[10] = 0.0; t2[10] = 0.0;
    }
    if (y >= 5u) {
      let p = (y - 5u) * P.width + x;
      var b = vec3f(0.0);
      ${Array.from({ length: 11 }, (_, k) => `b += WIN[${k}] * vec3f(t0[${k}], t1[${k}], t2[${k}]);`).join(' ')}
      let r = render[p * P.stride + c];
      let t = target_img[p * P.stride + c];
      var w = select(1.0, mask[p], P.use_mask != 0u) / denom;
      if (!(denom > 0.0)) { w = 0.0; }
      let d_ssim = b.x + 2.0 * r * b.y + t * b.z;
      let d = r - t;
      d_render[p * P.stride + c] = (1.0 - P.lambda) * w * sign(d) - P.lambda * d_ssim;
      if (c == 0u && P.stride > 3u) {
        for (var e = 3u; e < P.stride; e++) { d_render[p * P.stride + e] = 0.0; }
      }
      pix[c * n + p] = w * abs(d);
    }
  }
}
`;
