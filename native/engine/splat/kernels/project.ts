import { HELPERS_WGSL, PROJECTED_WGSL, RENDER_PARAMS_WGSL } from './common';

/**
 * Per Gaussian: EWA projection, culling, SH colour, tile rectangle (CONVENTIONS.md "Projection").
 * Writes `projected[i]`, `tile_info[i]` (radius, tiles touched, rect min, rect max) and `depth_keys[i]`
 * (bitcast of z > 0, so u32 order = depth order; culled → 0xffffffff). Culled: radius 0, 0 tiles, opacity 0.
 */
export const projectWgsl = /* wgsl */ `
${HELPERS_WGSL}
${RENDER_PARAMS_WGSL}
${PROJECTED_WGSL}
@group(0) @binding(0) var<uniform> params: RenderParams;
@group(0) @binding(1) var<storage, read> means: array<f32>;
@group(0) @binding(2) var<storage, read> log_scales: array<f32>;
@group(0) @binding(3) var<storage, read> rotations: array<f32>;
@group(0) @binding(4) var<storage, read> opacities: array<f32>;
@group(0) @binding(5) var<storage, read> sh: array<f32>;
@group(0) @binding(6) var<storage, read_write> projected: array<ProjectedSplat>;
@group(0) @binding(7) var<storage, read_write> tile_info: array<TileInfo>;
@group(0) @binding(8) var<storage, read_write> depth_keys: array<u32>;

const SH_C0: f32 = 0.28209479177387814;
const SH_C1: f32 = 0.4886025119029199;
const SH_C2 = array<f32, 5>(1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792, 0.5462742152960396);
const SH_C3 = array<f32, 7>(-0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154,
                            -0.4570457994644658, 1.445305721320277, -0.5900435899266435);

fn sh_coeff(base: u32, k: u32) -> vec3f {
  let o = base + k * 3u;
  return vec3f(sh[o], sh[o + 1u], sh[o + 2u]);
}

fn sh_finite(base: u32) -> bool {
  var ok = true;
  for (var j = 0u; j < params.sh_coeffs * 3u; j++) {
    ok = ok && is_finite(sh[base + j]);
  }
  return ok;
}

// max(0, SH(dir) + 0.5), 3DGS basis and order.
fn eval_sh(base: u32, d: vec3f) -> vec3f {
  var c = SH_C0 * sh_coeff(base, 0u);
  let deg = params.sh_degree;
  if (deg >= 1u) {
    let x = d.x; let y = d.y; let z = d.z;
    c += -SH_C1 * y * sh_coeff(base, 1u) + SH_C1 * z * sh_coeff(base, 2u) - SH_C1 * x * sh_coeff(base, 3u);
    if (deg >= 2u) {
      let xx = x * x; let yy = y * y; let zz = z * z;
      c += SH_C2[0] * x * y * sh_coeff(base, 4u)
         + SH_C2[1] * y * z * sh_coeff(base, 5u)
         + SH_C2[2] * (2.0 * zz - xx - yy) * sh_coeff(base, 6u)
         + SH_C2[3] * x * z * sh_coeff(base, 7u)
         + SH_C2[4] * (xx - yy) * sh_coeff(base, 8u);
      if (deg >= 3u) {
        c += SH_C3[0] * y * (3.0 * xx - yy) * sh_coeff(base, 9u)
           + SH_C3[1] * x * y * z * sh_coeff(base, 10u)
           + SH_C3[2] * y * (4.0 * zz - xx - yy) * sh_coeff(base, 11u)
           + SH_C3[3] * z * (2.0 * zz - 3.0 * xx - 3.0 * yy) * sh_coeff(base, 12u)
           + SH_C3[4] * x * (4.0 * zz - xx - yy) * sh_coeff(base, 13u)
           + SH_C3[5] * z * (xx - yy) * sh_coeff(base, 14u)
           + SH_C3[6] * x * (xx - 3.0 * yy) * sh_coeff(base, 15u);
      }
    }
  }
  return max(c + vec3f(0.5), vec3f(0.0));
}

fn cull(i: u32) {
  projected[i] = ProjectedSplat(vec2f(0.0), 0.0, 0.0, vec4f(0.0), vec4f(0.0));
  tile_info[i] = vec4u(0u);
  depth_keys[i] = 0xffffffffu;
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = linear_workgroup(wid, nwg) * 256u + lid;
  if (i >= params.num_gaussians) { return; }

  let mean = vec3f(means[i * 3u], means[i * 3u + 1u], means[i * 3u + 2u]);
  let log_s = vec3f(log_scales[i * 3u], log_scales[i * 3u + 1u], log_scales[i * 3u + 2u]);
  let q_raw = vec4f(rotations[i * 4u], rotations[i * 4u + 1u], rotations[i * 4u + 2u], rotations[i * 4u + 3u]);
  let logit = opacities[i];
  let sh_base = i * params.sh_coeffs * 3u;
  if (!(all_finite3(mean) && all_finite3(log_s) && all_finite4(q_raw) && is_finite(logit) && sh_finite(sh_base))) {
    cull(i);
    return;
  }

  let t = (params.view * vec4f(mean, 1.0)).xyz;
  let z = t.z;
  if (!(z > params.near)) { cull(i); return; }

  // Rotation from the normalised quaternion (w, x, y, z); zero or overflowing length → identity.
  let q_len = length(q_raw);
  var q = vec4f(1.0, 0.0, 0.0, 0.0);
  if (q_len > 0.0 && is_finite(q_len)) { q = q_raw / q_len; }
  let w = q.x; let x = q.y; let y = q.z; let qz = q.w;
  // Row-major entries R[r][c].
  let r00 = 1.0 - 2.0 * (y * y + qz * qz); let r01 = 2.0 * (x * y - w * qz);       let r02 = 2.0 * (x * qz + w * y);
  let r10 = 2.0 * (x * y + w * qz);       let r11 = 1.0 - 2.0 * (x * x + qz * qz); let r12 = 2.0 * (y * qz - w * x);
  let r20 = 2.0 * (x * qz - w * y);       let r21 = 2.0 * (y * qz + w * x);       let r22 = 1.0 - 2.0 * (x * x + y * y);
  let s = exp(log_s);
  // M = R S (columns scaled); Σ = M Mᵀ.  WGSL matrices are column-major: mat3x3f(col0, col1, col2).
  let M = mat3x3f(vec3f(r00, r10, r20) * s.x, vec3f(r01, r11, r21) * s.y, vec3f(r02, r12, r22) * s.z);
  let sigma = M * transpose(M);

  let W = mat3x3f(params.view[0].xyz, params.view[1].xyz, params.view[2].xyz);
  let fx = params.focal.x;
  let fy = params.focal.y;
  let tx = clamp(t.x / z, -params.tan_lim.x, params.tan_lim.x) * z;
  let ty = clamp(t.y / z, -params.tan_lim.y, params.tan_lim.y) * z;
  // J as a 3×3 with a zero third row: columns (fx/z, 0, 0), (0, fy/z, 0), (-fx tx/z², -fy ty/z², 0).
  let J = mat3x3f(vec3f(fx / z, 0.0, 0.0), vec3f(0.0, fy / z, 0.0), vec3f(-fx * tx / (z * z), -fy * ty / (z * z), 0.0));
  let T = J * W;
  let cov = T * sigma * transpose(T);
  let s00 = cov[0][0] + 0.3;
  let s01 = cov[1][0];
  let s11 = cov[1][1] + 0.3;
  let det = s00 * s11 - s01 * s01;
  if (!(det > 0.0 && is_finite(det) && is_finite(s00) && is_finite(s11))) { cull(i); return; }
  let conic = vec3f(s11 / det, -s01 / det, s00 / det);
  let mid = 0.5 * (s00 + s11);
  let lambda = mid + sqrt(max(0.0, mid * mid - det));
  let radius = ceil(3.0 * sqrt(lambda));
  let u = fx * t.x / z + params.principal.x;
  let v = fy * t.y / z + params.principal.y;
  let wf = f32(params.width);
  let hf = f32(params.height);
  if (!(is_finite(radius) && is_finite(u) && is_finite(v) && all_finite3(conic) &&
        u + radius > 0.0 && u - radius < wf && v + radius > 0.0 && v - radius < hf)) {
    cull(i);
    return;
  }
  let opacity = 1.0 / (1.0 + exp(-logit));
  // conic.w: how far the splat reaches with α ≥ 1/255, as a squared Mahalanobis distance (row_span); < 0: nowhere
  let reach = select(-1.0, 2.0 * log(255.0 * opacity), opacity * 255.0 >= 1.0);
  // Tiles: the box of the α ≥ 1/255 ellipse (half-extents √(reach·Σxx), √(reach·Σyy), a pixel of slack for
  // rounding) inside the 3σ square. Pixels outside that ellipse skip the splat, so the tiles left out changed nothing.
  let ext = min(vec2f(radius), ceil(sqrt(max(reach, 0.0) * vec2f(s00, s11))) + 1.0);
  let tile = f32(TILE_SIZE);
  let tiles = vec2f(f32(params.tiles_x), f32(params.tiles_y));
  let rmin = clamp(floor((vec2f(u, v) - ext) / tile), vec2f(0.0), tiles);
  let rmax = clamp(ceil((vec2f(u, v) + ext) / tile), vec2f(0.0), tiles);
  let tmin = vec2u(rmin);
  let tmax = vec2u(rmax);
  if (!(tmax.x > tmin.x && tmax.y > tmin.y)) { cull(i); return; }
  let touched = (tmax.x - tmin.x) * (tmax.y - tmin.y);

  let dir = mean - params.cam_pos.xyz;
  let dir_len = length(dir);
  var d = vec3f(0.0, 0.0, 1.0);
  if (dir_len > 0.0) { d = dir / dir_len; }
  let color = eval_sh(sh_base, d);
  projected[i] = ProjectedSplat(vec2f(u, v), z, opacity, vec4f(conic, reach), vec4f(color, 0.0));
  tile_info[i] = vec4u(u32(min(radius, 1e9)), touched, tmin.x | (tmin.y << 16u), tmax.x | (tmax.y << 16u));
  depth_keys[i] = bitcast<u32>(z);
}
`;
