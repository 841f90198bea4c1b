/** Gaussians bound to a head model's triangles (GaussianAvatars / FATE binding). See README.md. */
export { BoundGaussians, type BoundGaussianData } from './bound-gaussians';
export { BindingDeformer, BindingMesh, type DeformBackwardOptions } from './deform';
export { triangleChildRule, triangleChildRuleWgsl, type TriangleChildMode } from './densify-rule';
export { initFromUvLayout, type UvInitOptions, type UvInitResult } from './init';
export { surfaceCoverage, triangleFootprints, type CoverageReport } from './coverage';
