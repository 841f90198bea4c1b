import { writeSplatSpz } from '@engine/export/splat-spz';
import { staticSplatWriter } from './static-splats';

/** `spz`: Niantic's compressed splat format, written by the project's own packer. */
export const spzWriter = staticSplatWriter('spz', (cloud) => writeSplatSpz(cloud));
