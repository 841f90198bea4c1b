import { z } from 'zod';

/**
 * Every export format, once: what the contract accepts (`ExportFormat`), what the export dialog and the CLI show, what
 * a request for it may carry, how its job is titled and where it goes by default. The writer of each format (worker
 * side) is `src/main/services/export/formats/<id>.ts`, registered in `formats/index.ts`, which must cover every id
 * here (the type-check says so). A new format: an entry here and its writer's file, with its tests.
 */
export interface ExportFormatInfo {
  /** The export dialog's name of the format. */
  label: string;
  /** One line on what it writes (dialog). */
  what: string;
  /**
   * What a request carries beyond the avatar: `static` a pose (a tracked frame or expression coefficients, else
   * neutral), `video` a sequence's settings (exports.create's `video`), `mesh` a frame step, `whole` nothing.
   */
  kind: 'static' | 'video' | 'mesh' | 'whole';
  /** Writes a folder rather than one file. */
  folder: boolean;
  /** The job's title; static formats add the pose (`… (neutral)`), video formats are named by it in `Render a turntable <title> (512×512, 25 fps)`. */
  title: string;
  /**
   * The default target's name after `<avatar>-v<version>-` in the project's exports/ folder: static formats after the
   * pose (`neutral.ply`), video formats after the sequence and size (`turntable-512x512.mp4`).
   */
  target: string;
  /** What the avatar must have for it (the dialog disables the format with the reason; the host refuses the request). */
  requires?: 'bake' | 'tracked frames';
}

const FORMATS = {
  ply: { label: '3DGS .ply', what: 'Static Gaussian splats (INRIA layout) for splat viewers and editors', kind: 'static', folder: false, title: 'Export the avatar as .ply', target: '.ply' },
  gltf: { label: 'glTF .glb', what: 'Static splats as glTF 2.0 with KHR_gaussian_splatting', kind: 'static', folder: false, title: 'Export the avatar as glTF', target: '.glb' },
  spz: { label: 'Compressed .spz', what: 'Static splats in Niantic’s compressed SPZ format (≈ 10× smaller than .ply)', kind: 'static', folder: false, title: 'Export the avatar as .spz', target: '.spz' },
  bundle: { label: 'Avatar bundle', what: 'The whole animatable avatar in one .avatar file (import it back, or play it)', kind: 'whole', folder: false, title: 'Export the avatar bundle (.avatar)', target: 'bundle.avatar' },
  player: { label: 'Web player', what: 'A folder that plays the avatar in any WebGPU browser, offline (serve it locally)', kind: 'whole', folder: true, title: 'Export the web player (folder)', target: 'player' },
  mp4: { label: 'Video (MP4)', what: 'A rendered turntable or the tracked motion, H.264', kind: 'video', folder: false, title: 'MP4', target: '.mp4' },
  'png-sequence': { label: 'PNG sequence', what: 'The same frames as RGBA PNGs with a transparent background', kind: 'video', folder: true, title: 'PNG sequence', target: '-png' },
  maps: { label: 'Texture maps', what: 'The bake’s colour, opacity and visibility maps as PNG', kind: 'whole', folder: true, title: 'Export the baked texture maps (PNG)', target: 'maps', requires: 'bake' },
  'mesh-obj': { label: 'Mesh sequence (OBJ)', what: 'The tracked head mesh, one OBJ per frame, for DCC tools', kind: 'mesh', folder: true, title: 'Export the tracked mesh sequence (OBJ per frame)', target: 'mesh-obj', requires: 'tracked frames' },
  'mesh-gltf': { label: 'Mesh sequence (glTF)', what: 'The tracked head mesh with a morph target per frame and an animation', kind: 'mesh', folder: false, title: 'Export the tracked mesh sequence (glTF, morph targets)', target: 'mesh.glb', requires: 'tracked frames' },
} as const satisfies Record<string, ExportFormatInfo>;

export type ExportFormatId = keyof typeof FORMATS;

/** The formats in the order the dialog and the CLI list them. */
export const EXPORT_FORMAT_IDS = Object.keys(FORMATS) as [ExportFormatId, ...ExportFormatId[]];

/** Formats of `exports.create` (services/export/README.md). */
export const ExportFormat = z.enum(EXPORT_FORMAT_IDS);
export type ExportFormat = z.infer<typeof ExportFormat>;

/** The registry's entry of a format. */
export const exportFormatInfo = (id: ExportFormat): ExportFormatInfo & { id: ExportFormat } => ({ id, ...FORMATS[id] });

/** Every format's entry, in order. */
export const EXPORT_FORMATS: readonly (ExportFormatInfo & { id: ExportFormat })[] = EXPORT_FORMAT_IDS.map(exportFormatInfo);

/** The formats of one kind (e.g. the rendered ones: `video`). */
export const exportFormatsOfKind = (kind: ExportFormatInfo['kind']): ExportFormat[] => EXPORT_FORMAT_IDS.filter((id) => FORMATS[id].kind === kind);

/** The ids of the formats of one kind, as a type (e.g. `ExportFormatOfKind<'video'>` is `'mp4' | 'png-sequence'`). */
export type ExportFormatOfKind<K extends ExportFormatInfo['kind']> = { [F in ExportFormatId]: (typeof FORMATS)[F]['kind'] extends K ? F : never }[ExportFormatId];
