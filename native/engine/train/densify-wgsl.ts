/**
 * WGSL of densify/prune with compaction (see densify.ts for the pass order and reference/densify.ts for the math).
 * The per-output map packs `source | kind << 30` (kind: 0 kept, 1 clone copy, 2/3 split children).
 */

export const DENSIFY_UNIFORM = /* wgsl */ `
struct DensifyParams {
  count: u32,          // live Gaussians before
  out_limit: u32,      // max Gaussians after (≤ new capacity)
  sh_floats: u32,      // K·3
  seed: u32,
  grad_threshold: f32,
  clone_max_scale: f32,
  min_opacity: f32,
  split_log: f32,      // log(split factor)
};
@group(0) @binding(0) var<uniform> U: DensifyParams;
const ACTION_PRUNE: u32 = 0u;
const ACTION_KEEP: u32 = 1u;
const ACTION_CLONE: u32 = 2u;
const ACTION_SPLIT: u32 = 3u;
`;

export const HASH_WGSL = /* wgsl */ `
fn hash_u32(x: u32) -> u32 {
  let s = x * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}
fn rand01(seed: u32, index: u32, k: u32) -> f32 {
  let h = hash_u32(hash_u32(seed ^ (index * 0x9e3779b9u)) + k);
  return (f32(h >> 8u) + 0.5) / 16777216.0;
}
fn rand_normal(seed: u32, index: u32, k: u32) -> f32 {
  let u1 = rand01(seed, index, 2u * k);
  let u2 = rand01(seed, index, 2u * k + 1u);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
fn quat_to_mat(qraw: vec4f) -> mat3x3f {
  let len = length(qraw);
  var q = vec4f(1.0, 0.0, 0.0, 0.0);
  if (len > 0.0) { q = qraw / len; }
  let w = q.x; let x = q.y; let y = q.z; let z = q.w;
  return mat3x3f(
    vec3f(1.0 - 2.0 * (y * y + z * z), 2.0 * (x * y + w * z), 2.0 * (x * z - w * y)),
    vec3f(2.0 * (x * y - w * z), 1.0 - 2.0 * (x * x + z * z), 2.0 * (y * z + w * x)),
    vec3f(2.0 * (x * z + w * y), 2.0 * (y * z - w * x), 1.0 - 2.0 * (x * x + y * y)));
}
`;

export const CLASSIFY_WGSL = /* wgsl */ `${DENSIFY_UNIFORM}
@group(0) @binding(1) var<storage, read> means: array<f32>;
@group(0) @binding(2) var<storage, read> log_scales: array<f32>;
@group(0) @binding(3) var<storage, read> rotations: array<f32>;
@group(0) @binding(4) var<storage, read> opacities: array<f32>;
@group(0) @binding(5) var<storage, read> sh: array<f32>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;
@group(0) @binding(7) var<storage, read_write> action: array<u32>;
@group(0) @binding(8) var<storage, read_write> out_count: array<u32>;
fn fin(x: f32) -> bool { return abs(x) <= 3.0e38; }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= U.count) { return; }
  var finite = fin(opacities[i]);
  for (var k = 0u; k < 3u; k++) { finite = finite && fin(means[i * 3u + k]) && fin(log_scales[i * 3u + k]); }
  for (var k = 0u; k < 4u; k++) { finite = finite && fin(rotations[i * 4u + k]); }
  for (var k = 0u; k < U.sh_floats; k++) { finite = finite && fin(sh[i * U.sh_floats + k]); }
  let o = 1.0 / (1.0 + exp(-opacities[i]));
  var a = ACTION_KEEP;
  if (!finite || !(o >= U.min_opacity)) {
    a = ACTION_PRUNE;
  } else {
    let c = stats[i * 4u + 3u];
    let avg = select(0.0, stats[i * 4u + 2u] / c, c > 0.0);
    if (avg >= U.grad_threshold) {
      let m = exp(max(log_scales[i * 3u], max(log_scales[i * 3u + 1u], log_scales[i * 3u + 2u])));
      a = select(ACTION_SPLIT, ACTION_CLONE, m <= U.clone_max_scale);
    }
  }
  action[i] = a;
  out_count[i] = select(select(1u, 2u, a >= ACTION_CLONE), 0u, a == ACTION_PRUNE);
}
`;

/**
 * Sampling-based densification (FATE): the parent's extra copies come from `copies` (a multinomial draw made by the
 * caller); the action word packs ACTION_KEEP | copies << 2. Pruning (low opacity or non-finite) drops the parent and
 * its copies. No gradient test here.
 */
export const CLASSIFY_COPIES_WGSL = /* wgsl */ `${DENSIFY_UNIFORM}
@group(0) @binding(1) var<storage, read> means: array<f32>;
@group(0) @binding(2) var<storage, read> log_scales: array<f32>;
@group(0) @binding(3) var<storage, read> rotations: array<f32>;
@group(0) @binding(4) var<storage, read> opacities: array<f32>;
@group(0) @binding(5) var<storage, read> sh: array<f32>;
@group(0) @binding(6) var<storage, read> copies: array<u32>;
@group(0) @binding(7) var<storage, read_write> action: array<u32>;
@group(0) @binding(8) var<storage, read_write> out_count: array<u32>;
fn fin(x: f32) -> bool { return abs(x) <= 3.0e38; }
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= U.count) { return; }
  var finite = fin(opacities[i]);
  for (var k = 0u; k < 3u; k++) { finite = finite && fin(means[i * 3u + k]) && fin(log_scales[i * 3u + k]); }
  for (var k = 0u; k < 4u; k++) { finite = finite && fin(rotations[i * 4u + k]); }
  for (var k = 0u; k < U.sh_floats; k++) { finite = finite && fin(sh[i * U.sh_floats + k]); }
  let o = 1.0 / (1.0 + exp(-opacities[i]));
  if (!finite || !(o >= U.min_opacity)) {
    action[i] = ACTION_PRUNE;
    out_count[i] = 0u;
  } else {
    let c = min(copies[i], 0x3fffffffu);
    action[i] = ACTION_KEEP | (c << 2u);
    out_count[i] = 1u + c;
  }
}
`;

/**
 * Writes the output map and the new count (min(total, out_limit)) into counter[0]. The action word's low 2 bits are
 * the action, the rest a number of extra copies of a kept parent (sampling-based densification; 0 otherwise).
 */
export const MAP_WGSL = /* wgsl */ `${DENSIFY_UNIFORM}
@group(0) @binding(1) var<storage, read> action: array<u32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> out_map: array<u32>;
@group(0) @binding(4) var<storage, read_write> counter: array<u32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= U.count) { return; }
  let a = action[i] & 3u;
  let extra = action[i] >> 2u;
  let o = offsets[i];
  let n = select(select(1u + extra, 2u, a >= ACTION_CLONE), 0u, a == ACTION_PRUNE);
  if (i == U.count - 1u) { counter[0] = min(o + n, U.out_limit); }
  if (a == ACTION_KEEP) {
    if (o < U.out_limit) { out_map[o] = i; }
    for (var j = 1u; j <= extra; j++) {
      if (o + j < U.out_limit) { out_map[o + j] = i | (1u << 30u); }
    }
  }
  if (a == ACTION_CLONE) {
    if (o < U.out_limit) { out_map[o] = i; }
    if (o + 1u < U.out_limit) { out_map[o + 1u] = i | (1u << 30u); }
  }
  if (a == ACTION_SPLIT) {
    if (o < U.out_limit) { out_map[o] = i | (2u << 30u); }
    if (o + 1u < U.out_limit) { out_map[o + 1u] = i | (3u << 30u); }
  }
}
`;

/** Gathers one per-Gaussian buffer (F floats each) through the map; `zero_children` zeroes non-kept rows. */
export const GATHER_WGSL = /* wgsl */ `
struct GatherParams { floats: u32, zero_children: u32, limit: u32, _p: u32 };
@group(0) @binding(0) var<uniform> G: GatherParams;
@group(0) @binding(1) var<storage, read> out_map: array<u32>;
@group(0) @binding(2) var<storage, read> counter: array<u32>;
@group(0) @binding(3) var<storage, read> src: array<f32>;
@group(0) @binding(4) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let e = gid.x + gid.y * nwg.x * 256u;
  let d = e / G.floats;
  if (d >= min(counter[0], G.limit)) { return; }
  let m = out_map[d];
  let s = m & 0x3fffffffu;
  let kind = m >> 30u;
  var v = src[s * G.floats + e % G.floats];
  if (G.zero_children != 0u && kind != 0u) { v = 0.0; }
  dst[e] = v;
}
`;

/** Applies the child placement rule to every non-kept output row. `rule` defines `place_child`. */
export function placeWgsl(rule: string): string {
  return /* wgsl */ `${DENSIFY_UNIFORM}${HASH_WGSL}
struct Child { mean: vec3f, log_scale: vec3f, rot: vec4f, opacity: f32 };
@group(0) @binding(1) var<storage, read> out_map: array<u32>;
@group(0) @binding(2) var<storage, read> counter: array<u32>;
@group(0) @binding(3) var<storage, read_write> means: array<f32>;
@group(0) @binding(4) var<storage, read_write> log_scales: array<f32>;
@group(0) @binding(5) var<storage, read_write> rotations: array<f32>;
@group(0) @binding(6) var<storage, read_write> opacities: array<f32>;
${rule}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let d = gid.x + gid.y * nwg.x * 256u;
  if (d >= min(counter[0], U.out_limit)) { return; }  // (U is referenced so rules need not use it)
  let m = out_map[d];
  let kind = m >> 30u;
  if (kind == 0u) { return; }
  var c: Child;
  c.mean = vec3f(means[d * 3u], means[d * 3u + 1u], means[d * 3u + 2u]);
  c.log_scale = vec3f(log_scales[d * 3u], log_scales[d * 3u + 1u], log_scales[d * 3u + 2u]);
  c.rot = vec4f(rotations[d * 4u], rotations[d * 4u + 1u], rotations[d * 4u + 2u], rotations[d * 4u + 3u]);
  c.opacity = opacities[d];
  place_child(&c, kind, m & 0x3fffffffu, d);
  for (var k = 0u; k < 3u; k++) { means[d * 3u + k] = c.mean[k]; log_scales[d * 3u + k] = c.log_scale[k]; }
  for (var k = 0u; k < 4u; k++) { rotations[d * 4u + k] = c.rot[k]; }
  opacities[d] = c.opacity;
}
`;
}

/** The default 3DGS rule: clones stay as exact copies; split children ~ N(mean, Σ) with scale / split factor. */
export const DEFAULT_CHILD_RULE_WGSL = /* wgsl */ `
fn place_child(c: ptr<function, Child>, kind: u32, src: u32, dst: u32) {
  if (kind < 2u) { return; }
  let R = quat_to_mat((*c).rot);
  let s = exp((*c).log_scale);
  let n = vec3f(rand_normal(U.seed, dst, 0u), rand_normal(U.seed, dst, 1u), rand_normal(U.seed, dst, 2u));
  (*c).mean += R * (s * n);
  (*c).log_scale -= vec3f(U.split_log);
}
`;

/** logit ← min(logit, logit(maxOpacity)) for all live Gaussians (3DGS opacity reset). */
export const RESET_OPACITY_WGSL = /* wgsl */ `
struct ResetParams { count: u32, max_logit: f32, _p0: u32, _p1: u32 };
@group(0) @binding(0) var<uniform> R: ResetParams;
@group(0) @binding(1) var<storage, read_write> opacities: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= R.count) { return; }
  opacities[i] = min(opacities[i], R.max_logit);
}
`;
