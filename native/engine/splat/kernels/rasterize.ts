import { PROJECTED_WGSL, RENDER_PARAMS_WGSL, ROW_SPAN_WGSL } from './common';

/**
 * One 16×16 workgroup per tile, one invocation per pixel (CONVENTIONS.md "Rasterisation"): each pixel blends its
 * tile's depth-sorted Gaussians front to back and stops at T < 1e-4. Outputs per pixel p:
 *   color[p] = (rgb + T·background, 1 − T)
 *   aux[p]   = (bits of depth D, bits of final T, last: exclusive end of contributors in sorted order, contributors)
 *   features[p·F + f]
 * `featureDim` is baked into the source (one pipeline per F). Two variants of the same maths:
 *   'shared' — splats loaded in batches of 256 into workgroup memory, the workgroup stops when all pixels are done
 *              (the usual GPU layout);
 *   'direct' — no workgroup memory or barriers, every pixel reads the splats from global memory. On CPU adapters
 *              (SwiftShader) barriers and workgroup-memory zeroing dominate, and this is ~10× faster there.
 *   'rows'   — for CPU adapters: one invocation per pixel row of the tile (16 per workgroup). A splat is read once
 *              per row, and the row's pixels it can reach (α ≥ 1/255) are found by solving its conic for the row — an
 *              interval widened by a pixel each side, inside which every pixel still takes the exact per-pixel test.
 *              Pixels outside it would have been skipped by that test, so the images are the same as 'direct''s, for
 *              a fraction of the work: most tile pixels lie outside a small splat.
 */
export type RasterMode = 'shared' | 'direct' | 'rows';

/** Invocations per tile of the 'rows' variant (each owns 16 / this rows): 4 measured fastest on llvmpipe and SwiftShader. */
export const ROWS_INVOCATIONS = 4;

export function rasterizeWgsl(featureDim: number, mode: RasterMode = 'shared'): string {
  return mode === 'shared' ? sharedBody(featureDim) : mode === 'rows' ? rowsBody(featureDim) : directBody(featureDim);
}

const bindings = (F: number) => /* wgsl */ `
${RENDER_PARAMS_WGSL}
${PROJECTED_WGSL}
const FEATURE_DIM: u32 = ${F}u;
@group(0) @binding(0) var<uniform> params: RenderParams;
@group(0) @binding(1) var<storage, read> ranges: array<vec2u>;
@group(0) @binding(2) var<storage, read> sorted_ids: array<u32>;
@group(0) @binding(3) var<storage, read> projected: array<ProjectedSplat>;
@group(0) @binding(4) var<storage, read> features: array<f32>;
@group(0) @binding(5) var<storage, read> background: array<f32>;
@group(0) @binding(6) var<storage, read_write> out_color: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> out_aux: array<vec4u>;
@group(0) @binding(8) var<storage, read_write> out_features: array<f32>;
`;

const accumulators = (F: number) => /* wgsl */ `
  let centre = vec2f(f32(px) + 0.5, f32(py) + 0.5);
  var T = 1.0;
  var rgb = vec3f(0.0);
  var depth = 0.0;
  var feat: array<f32, ${Math.max(F, 1)}>;
  for (var f = 0u; f < ${Math.max(F, 1)}u; f++) { feat[f] = 0.0; }
  var last = range.x;
  var contributors = 0u;
`;

// Blends splat g at sorted index idx_j (co = conic + opacity, sp_xy = mean2d, cd = colour + depth).
const BLEND_STEP = /* wgsl */ `
        let d = centre - sp_xy;
        let power = -0.5 * (co.x * d.x * d.x + co.z * d.y * d.y) - co.y * d.x * d.y;
        if (power > 0.0) { continue; }
        let alpha = min(0.99, co.w * exp(power));
        if (alpha < 1.0 / 255.0) { continue; }
        let t_next = T * (1.0 - alpha);
        if (t_next < 1e-4) { done = true; break; }
        let w = alpha * T;
        rgb += cd.xyz * w;
        depth += cd.w * w;
        for (var f = 0u; f < FEATURE_DIM; f++) {
          feat[f] += features[g * FEATURE_DIM + f] * w;
        }
        T = t_next;
        last = idx_j + 1u;
        contributors += 1u;
`;

const WRITE_OUTPUTS = /* wgsl */ `
  if (inside) {
    let p = py * params.width + px;
    var bg = params.background.xyz;
    if (params.bg_image != 0u) {
      bg = vec3f(background[p * 3u], background[p * 3u + 1u], background[p * 3u + 2u]);
    }
    out_color[p] = vec4f(rgb + T * bg, 1.0 - T);
    out_aux[p] = vec4u(bitcast<u32>(depth), bitcast<u32>(T), last, contributors);
    for (var f = 0u; f < FEATURE_DIM; f++) {
      out_features[p * FEATURE_DIM + f] = feat[f];
    }
  }
`;

function directBody(F: number): string {
  return /* wgsl */ `
${bindings(F)}
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let px = wid.x * 16u + lid3.x;
  let py = wid.y * 16u + lid3.y;
  let inside = px < params.width && py < params.height;
  let range = ranges[wid.y * params.tiles_x + wid.x];
  var done = !inside;
${accumulators(F)}
  for (var idx_j = range.x; idx_j < range.y; idx_j++) {
    if (done) { break; }
    let g = sorted_ids[idx_j];
    let sp = projected[g];
    let co = vec4f(sp.conic.xyz, sp.opacity);
    let sp_xy = sp.mean2d;
    let cd = vec4f(sp.color.xyz, sp.depth);
${BLEND_STEP}
  }
${WRITE_OUTPUTS}
}
`;
}

function sharedBody(F: number): string {
  return /* wgsl */ `
${bindings(F)}
var<workgroup> s_range: vec2u;
var<workgroup> s_done: atomic<u32>;
var<workgroup> s_done_snapshot: u32;
var<workgroup> s_ids: array<u32, 256>;
var<workgroup> s_xy: array<vec2f, 256>;
var<workgroup> s_conic_opacity: array<vec4f, 256>;
var<workgroup> s_color_depth: array<vec4f, 256>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let px = wid.x * 16u + lid3.x;
  let py = wid.y * 16u + lid3.y;
  let inside = px < params.width && py < params.height;
  if (lid == 0u) {
    s_range = ranges[wid.y * params.tiles_x + wid.x];
    atomicStore(&s_done, 0u);
  }
  let range = workgroupUniformLoad(&s_range);
  var done = !inside;
  if (done) { atomicAdd(&s_done, 1u); }
${accumulators(F)}
  let count = select(0u, range.y - range.x, range.y > range.x);
  let batches = (count + 255u) / 256u;
  for (var b = 0u; b < batches; b++) {
    workgroupBarrier();
    if (lid == 0u) { s_done_snapshot = atomicLoad(&s_done); }
    if (workgroupUniformLoad(&s_done_snapshot) >= 256u) { break; }
    let batch_start = range.x + b * 256u;
    let load = batch_start + lid;
    if (load < range.y) {
      let g = sorted_ids[load];
      let p = projected[g];
      s_ids[lid] = g;
      s_xy[lid] = p.mean2d;
      s_conic_opacity[lid] = vec4f(p.conic.xyz, p.opacity);
      s_color_depth[lid] = vec4f(p.color.xyz, p.depth);
    }
    workgroupBarrier();
    if (!done) {
      let batch_n = min(256u, range.y - batch_start);
      for (var j = 0u; j < batch_n; j++) {
        let co = s_conic_opacity[j];
        let sp_xy = s_xy[j];
        let cd = s_color_depth[j];
        let g = s_ids[j];
        let idx_j = batch_start + j;
${BLEND_STEP}
      }
      if (done) { atomicAdd(&s_done, 1u); }
    }
  }
${WRITE_OUTPUTS}
}
`;
}

function rowsBody(F: number): string {
  const FD = Math.max(F, 1);
  const INV = ROWS_INVOCATIONS;
  const RPI = 16 / INV; // rows per invocation
  const PX = 16 * RPI;
  return /* wgsl */ `
${bindings(F)}
${ROW_SPAN_WGSL}
const INV: u32 = ${INV}u;
const RPI: u32 = ${RPI}u;
@compute @workgroup_size(${INV})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid3: vec3u) {
  let inv = lid3.x;
  let x0 = wid.x * 16u;
  let range = ranges[wid.y * params.tiles_x + wid.x];
  // pixel q = r · 16 + x of this invocation: row wid.y · 16 + inv + r · INV, column x0 + x
  var nx: array<u32, ${RPI}>;
  var T: array<f32, ${PX}>;
  var rgb: array<vec3f, ${PX}>;
  var depth: array<f32, ${PX}>;
  var last: array<u32, ${PX}>;
  var contributors: array<u32, ${PX}>;
  var feat: array<f32, ${PX * FD}>;
  // bit x of live[r] set: pixel (r, x) still blending
  var live: array<u32, ${RPI}>;
  for (var r = 0u; r < RPI; r++) {
    let py = wid.y * 16u + inv + r * INV;
    nx[r] = select(0u, min(16u, params.width - x0), py < params.height && x0 < params.width);
    live[r] = (1u << nx[r]) - 1u;
  }
  for (var q = 0u; q < ${PX}u; q++) {
    T[q] = 1.0; rgb[q] = vec3f(0.0); depth[q] = 0.0; last[q] = range.x; contributors[q] = 0u;
  }
  for (var f = 0u; f < ${PX * FD}u; f++) { feat[f] = 0.0; }
  for (var idx_j = range.x; idx_j < range.y; idx_j++) {
    var any_live = 0u;
    for (var r = 0u; r < RPI; r++) { any_live |= live[r]; }
    if (any_live == 0u) { break; }
    let g = sorted_ids[idx_j];
    let sp = projected[g];
    let co = vec4f(sp.conic.xyz, sp.opacity);
    let sp_xy = sp.mean2d;
    let cd = vec4f(sp.color.xyz, sp.depth);
    for (var r = 0u; r < RPI; r++) {
      let n_r = nx[r];
      let cy = f32(wid.y * 16u + inv + r * INV) + 0.5;
      let span = row_span(sp.conic, cy - sp_xy.y) + sp_xy.x - 0.5 - f32(x0);
      if (n_r == 0u || span.x > span.y || span.y < 0.0 || span.x >= f32(n_r)) { continue; }
      let xa = u32(max(0.0, floor(span.x)));
      let xb = u32(min(f32(n_r) - 1.0, ceil(span.y)));
      for (var x = xa; x <= xb; x++) {
        let q = r * 16u + x;
        if ((live[r] & (1u << x)) == 0u) { continue; }
        let centre = vec2f(f32(x0 + x) + 0.5, cy);
        let d = centre - sp_xy;
        let power = -0.5 * (co.x * d.x * d.x + co.z * d.y * d.y) - co.y * d.x * d.y;
        if (power > 0.0) { continue; }
        let alpha = min(0.99, co.w * exp(power));
        if (alpha < 1.0 / 255.0) { continue; }
        let t_next = T[q] * (1.0 - alpha);
        if (t_next < 1e-4) { live[r] &= ~(1u << x); continue; }
        let w = alpha * T[q];
        rgb[q] += cd.xyz * w;
        depth[q] += cd.w * w;
        for (var f = 0u; f < FEATURE_DIM; f++) {
          feat[q * ${FD}u + f] += features[g * FEATURE_DIM + f] * w;
        }
        T[q] = t_next;
        last[q] = idx_j + 1u;
        contributors[q] += 1u;
      }
    }
  }
  for (var r = 0u; r < RPI; r++) {
    let py = wid.y * 16u + inv + r * INV;
    for (var x = 0u; x < nx[r]; x++) {
      let q = r * 16u + x;
      let p = py * params.width + x0 + x;
      var bg = params.background.xyz;
      if (params.bg_image != 0u) {
        bg = vec3f(background[p * 3u], background[p * 3u + 1u], background[p * 3u + 2u]);
      }
      out_color[p] = vec4f(rgb[q] + T[q] * bg, 1.0 - T[q]);
      out_aux[p] = vec4u(bitcast<u32>(depth[q]), bitcast<u32>(T[q]), last[q], contributors[q]);
      for (var f = 0u; f < FEATURE_DIM; f++) {
        out_features[p * FEATURE_DIM + f] = feat[q * ${FD}u + f];
      }
    }
  }
}
`;
}
