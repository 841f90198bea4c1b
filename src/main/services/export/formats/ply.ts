import { writeSplatPly } from '@engine/export/splat-ply';
import { staticSplatWriter } from './static-splats';

/** `ply`: the standard 3DGS .ply (INRIA layout), with the avatar and pose in its comment. */
export const plyWriter = staticSplatWriter('ply', (cloud, pose) => writeSplatPly(cloud, `Avatar Studio avatar ${pose.avatarId} ${pose.frame !== null ? `frame ${pose.frame}` : 'expression'}`));
