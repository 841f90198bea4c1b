/** Static splat files: standard 3DGS `.ply` and glTF 2.0 `.glb` with KHR_gaussian_splatting. See README.md. */
export { finiteSplats, type SplatCloud } from './splat-cloud';
export { plyPropertyNames, writeSplatPly } from './splat-ply';
export { KHR_GAUSSIAN_SPLATTING, writeSplatGlb, type GltfSplatOptions } from './splat-gltf';
