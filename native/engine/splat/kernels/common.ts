/**
 * WGSL shared by the forward kernels: the one uniform struct, the projected-splat struct, constants and helpers.
 * `params.ts` writes RenderParams; its offsets must change in lock-step with the struct below.
 * No vec3 in storage structs (16-byte alignment); pads are explicit.
 */
export const TILE_SIZE = 16;
export const WORKGROUP = 256;

export const RENDER_PARAMS_WGSL = /* wgsl */ `
struct RenderParams {
  view: mat4x4f,        // 0   world→camera, column-major
  cam_pos: vec4f,       // 64  camera centre (xyz)
  background: vec4f,    // 80  rgb
  focal: vec2f,         // 96  fx, fy
  principal: vec2f,     // 104 cx, cy
  tan_lim: vec2f,       // 112 1.3·tan(fov/2) per axis (3DGS frustum clamp)
  near: f32,            // 120
  num_gaussians: u32,   // 124
  width: u32,           // 128
  height: u32,          // 132
  tiles_x: u32,         // 136
  tiles_y: u32,         // 140
  sh_degree: u32,       // 144 active SH degree
  sh_coeffs: u32,       // 148 K of the storage layout
  feature_dim: u32,     // 152
  bg_image: u32,        // 156 1 = per-pixel background buffer
  isect_capacity: u32,  // 160
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,           // size 176
}
`;

/** One projected Gaussian (48 bytes). Culled Gaussians have opacity 0 and radius 0 in TileInfo. */
export const PROJECTED_WGSL = /* wgsl */ `
struct ProjectedSplat {
  mean2d: vec2f,   // pixel coordinates (u, v)
  depth: f32,      // camera-space z
  opacity: f32,    // sigmoid(logit)
  conic: vec4f,    // a, b, c of inverse(Σ2D) = [[a, b], [b, c]]; w: 2·ln(255·opacity) (α ≥ 1/255 within it), < 0 if none
  color: vec4f,    // rgb = max(0, SH + 0.5); w unused
}

// radius (px), tiles touched, tile rect min (x | y << 16), tile rect max exclusive (x | y << 16)
alias TileInfo = vec4u;
`;

export const HELPERS_WGSL = /* wgsl */ `
const TILE_SIZE: u32 = ${TILE_SIZE}u;

// Linear workgroup index of a (possibly 2D) dispatch grid.
fn linear_workgroup(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// True for finite f32 (not NaN, not ±Inf); bit test so fast-math cannot fold it away.
fn is_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}
fn all_finite3(v: vec3f) -> bool {
  return is_finite(v.x) && is_finite(v.y) && is_finite(v.z);
}
fn all_finite4(v: vec4f) -> bool {
  return is_finite(v.x) && is_finite(v.y) && is_finite(v.z) && is_finite(v.w);
}
`;

/** Workgroup-wide exclusive scan of one u32 per invocation (256 invocations); returns (exclusive, total). */
export const WORKGROUP_SCAN_WGSL = /* wgsl */ `
var<workgroup> wg_scan: array<u32, ${WORKGROUP}>;

fn workgroup_exclusive_scan(lid: u32, value: u32) -> vec2u {
  wg_scan[lid] = value;
  workgroupBarrier();
  for (var offset = 1u; offset < ${WORKGROUP}u; offset = offset << 1u) {
    var add = 0u;
    if (lid >= offset) {
      add = wg_scan[lid - offset];
    }
    workgroupBarrier();
    wg_scan[lid] = wg_scan[lid] + add;
    workgroupBarrier();
  }
  let inclusive = wg_scan[lid];
  let total = wg_scan[${WORKGROUP - 1}u];
  workgroupBarrier();
  return vec2u(inclusive - value, total);
}
`;

/**
 * The pixel columns of row `dy` (pixel centre minus splat centre, y) that a splat (its conic with the reach in w) can reach with α ≥ 1/255, as
 * [lo, hi] offsets from the splat's x (inclusive, widened by one pixel); (1, 0) when none. Exactness is left to the
 * per-pixel test: this only has to contain every pixel that passes it. A conic that is not positive definite (it cannot
 * come from the projection, but bad input must not hide pixels) reaches the whole row.
 */
export const ROW_SPAN_WGSL = /* wgsl */ `
fn row_span(conic: vec4f, dy: f32) -> vec2f {
  let reach = conic.w;
  if (!(reach >= 0.0)) { return vec2f(1.0, 0.0); }
  let a = conic.x;
  if (!(a > 0.0) || !is_finite_f(a) || !is_finite_f(conic.y) || !is_finite_f(conic.z)) { return vec2f(-1e30, 1e30); }
  // α ≥ 1/255 ⇔ a·dx² + 2b·dy·dx + c·dy² ≤ reach (α is op·exp(power), capped at 0.99, which only lowers it)
  let bdy = conic.y * dy;
  let disc = bdy * bdy - a * (conic.z * dy * dy - reach);
  if (!(disc >= 0.0)) { return vec2f(1.0, 0.0); }
  let h = sqrt(disc);
  return vec2f((-bdy - h) / a - 1.0, (-bdy + h) / a + 1.0);
}
fn is_finite_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
`;
