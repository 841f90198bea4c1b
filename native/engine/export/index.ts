/** Export writers: static splat files (`.ply`, glTF with KHR_gaussian_splatting), the avatar bundle, mesh sequences. See README.md. */
export { finiteSplats, type SplatCloud } from './splat-cloud';
export { plyPropertyNames, writeSplatPly } from './splat-ply';
export { KHR_GAUSSIAN_SPLATTING, writeSplatGlb, type GltfSplatOptions } from './splat-gltf';
export * from './avatar-bundle';
export { decodeHeadMesh, encodeHeadMesh, type BundleExpressionSpace, type HeadMesh } from './avatar-bundle-head';
export { openHeadFor } from '../avatar/open-head/stored-space';
export { bundlePoser, HeadPoser, poseBundle, PoseChoiceError, type HeadPoseChoice, type PoseBundleOptions, type ResolvedPose } from './avatar-bundle-pose';
export { writeMeshObj, type UvMesh } from './mesh-obj';
export { writeMeshSequenceGlb, type MeshSequence } from './mesh-gltf';
export { SPZ_MAGIC, SPZ_VERSION, writeSplatSpz } from './splat-spz';
