/**
 * The one place export writers are registered: one per format of the shared registry
 * (`src/shared/model/export-formats.ts`), each in its own file here. A format without a writer fails the type-check.
 */
import type { ExportFormat } from '@shared/model/export-formats';
import { bundleWriter } from './bundle';
import { gltfWriter } from './gltf';
import { mapsWriter } from './maps';
import { meshGltfWriter } from './mesh-gltf';
import { meshObjWriter } from './mesh-obj';
import { mp4Writer } from './mp4';
import { playerWriter } from './player';
import { plyWriter } from './ply';
import { pngSequenceWriter } from './png-sequence';
import { spzWriter } from './spz';
import type { ExportWriter } from './types';

export const EXPORT_WRITERS: { readonly [F in ExportFormat]: ExportWriter<F> } = {
  ply: plyWriter,
  gltf: gltfWriter,
  spz: spzWriter,
  bundle: bundleWriter,
  player: playerWriter,
  mp4: mp4Writer,
  'png-sequence': pngSequenceWriter,
  maps: mapsWriter,
  'mesh-obj': meshObjWriter,
  'mesh-gltf': meshGltfWriter,
};

export type { ExportWriter } from './types';
