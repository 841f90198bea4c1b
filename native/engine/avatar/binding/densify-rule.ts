/**
 * Densification children on the parent's triangle: a `ChildPlacementRule` for the engine's `Densifier` run on
 * `BoundGaussians.params` (so "mean" = [b0, b1, d]). Children keep the parent's triangle (the triangle-id extra
 * attribute is gathered with the parameters), normal offset, local rotation, opacity and colour; split children
 * (kind 2/3) also get log-scale − log(split factor), as in 3DGS. New barycentrics (CPU twin:
 * `reference/binding.ts` `placeChildBarycentric`):
 * - 'gaussian' (default): the in-plane part of a sample of the parent's Gaussian — δ = R_local·(exp(logScale) ⊙ n),
 *   n ~ N(0, I), world displacement k·(δx a0 + δz a2) — mapped to barycentric space by least squares, then projected
 *   into the triangle. Both clones and split children are resampled, so clones do not coincide with their parent.
 * - 'uniform': b = u / Σu, u ~ U(0, 1)³, anywhere in the triangle (FATE's placement).
 * - 'fate' (FATE's sampling-based densification, with `Densifier.run({ copies })`): 'uniform' placement, and every
 *   child (clone copies too) gets log-scale − log(split factor); FATE's child scale 0.75× = split factor 4/3.
 * Frames come from `mesh.frames` (written by the last `BindingDeformer.encodeForward`; any pose works).
 *
 * Note: the Densifier's clone/split test compares max exp(logScale) with `cloneMaxScale`; for bound Gaussians that
 * is the *local* scale, i.e. relative to the triangle size k (1 ≈ one triangle).
 */
import type { ChildPlacementRule } from '../../train/densify';
import type { BoundGaussians } from './bound-gaussians';
import type { BindingMesh } from './deform';
import { FRAME_VEC4S } from './wgsl';

export type TriangleChildMode = 'gaussian' | 'uniform' | 'fate';

export function triangleChildRuleWgsl(mode: TriangleChildMode): string {
  const uniform = mode === 'uniform' || mode === 'fate';
  const inputs =
    uniform
      ? ''
      : `@group(1) @binding(0) var<storage, read> child_tri: array<f32>;      // pre-compaction triangle ids (by source row)
@group(1) @binding(1) var<storage, read> child_frames: array<vec4f>; // BindingMesh.frames`;
  return /* wgsl */ `
${inputs}
fn project_bary(b: vec2f) -> vec2f {
  let c = max(vec3f(b.x, b.y, 1.0 - b.x - b.y), vec3f(0.0));
  let s = c.x + c.y + c.z;
  if (!(s > 0.0)) { return vec2f(1.0 / 3.0); }
  return c.xy / s;
}
fn place_child(c: ptr<function, Child>, kind: u32, src: u32, dst: u32) {
  var b = (*c).mean.xy;
${
  uniform
    ? `  let u = vec3f(rand01(U.seed, dst, 0u), rand01(U.seed, dst, 1u), rand01(U.seed, dst, 2u));
  b = u.xy / (u.x + u.y + u.z);`
    : `  let tf = child_tri[src];
  let tri_count = arrayLength(&child_frames) / ${FRAME_VEC4S}u;
  if (tf >= 0.0 && tf < f32(tri_count)) {
    let o = u32(tf) * ${FRAME_VEC4S}u;
    if (child_frames[o + 2u].w > 0.5) {
      let v0 = child_frames[o].xyz;
      let v1 = child_frames[o + 1u].xyz;
      let v2 = child_frames[o + 2u].xyz;
      let k = child_frames[o + 1u].w;
      let n = child_frames[o + 3u].xyz;
      let a0 = normalize(v1 - v0);
      let a2 = cross(a0, n);
      let nr = vec3f(rand_normal(U.seed, dst, 0u), rand_normal(U.seed, dst, 1u), rand_normal(U.seed, dst, 2u));
      let dl = quat_to_mat((*c).rot) * (exp((*c).log_scale) * nr);
      let w = k * (dl.x * a0 + dl.z * a2);
      let u0 = v0 - v2;
      let u1 = v1 - v2;
      let g00 = dot(u0, u0);
      let g01 = dot(u0, u1);
      let g11 = dot(u1, u1);
      let det = g00 * g11 - g01 * g01;
      if (det > 1e-12 * g00 * g11) {
        let r0 = dot(u0, w);
        let r1 = dot(u1, w);
        b += vec2f(g11 * r0 - g01 * r1, g00 * r1 - g01 * r0) / det;
      }
    }
  }`
}
  b = project_bary(b);
  (*c).mean.x = b.x;
  (*c).mean.y = b.y;
  if (kind >= ${mode === 'fate' ? 1 : 2}u) { (*c).log_scale -= vec3f(U.split_log); }
}
`;
}

/** The rule for a Densifier on `bound.params` (pass `bound.extraAttribute()` along via the returned rule). */
export function triangleChildRule(bound: BoundGaussians, mesh: BindingMesh, options: { mode?: TriangleChildMode } = {}): ChildPlacementRule {
  const mode = options.mode ?? 'gaussian';
  return {
    name: `triangle-${mode}`,
    wgsl: triangleChildRuleWgsl(mode),
    ...(mode === 'uniform' || mode === 'fate' ? {} : { group1: () => [bound.triangleIds, mesh.frames] }),
    extraAttributes: [bound.extraAttribute()],
  };
}
