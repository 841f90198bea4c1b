import { writeSplatGlb } from '@engine/export/splat-gltf';
import { staticSplatWriter } from './static-splats';

/** `gltf`: a glTF 2.0 .glb with KHR_gaussian_splatting; the avatar and pose in the asset's extras. */
export const gltfWriter = staticSplatWriter('gltf', (cloud, pose) => writeSplatGlb(cloud, { generator: 'Avatar Studio', extras: { avatarId: pose.avatarId, frame: pose.frame, expression: pose.expression } }));
