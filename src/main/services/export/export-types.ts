/** Params and output of the `avatar.export` job (host and worker share them without loading each other's code). */
import type { ExportFormat, ExportFormatOfKind } from '@shared/model/export-formats';
import type { VideoSettings } from './video-types';
import type { DataParams } from './data-export-request';

/** The static splat formats (posed at a frame, an expression or neutral). */
export type StaticExportFormat = ExportFormatOfKind<'static'>;
/** Formats the job writes: every format of the registry (src/shared/model/export-formats.ts). */
export type JobExportFormat = ExportFormat;

/** Where exports go inside a project folder by default. */
export const EXPORTS_DIR = 'exports';

export interface ExportParams {
  exportId: string;
  projectId: string;
  avatarId: string;
  format: JobExportFormat;
  /** A tracked frame (its camera's fit.json) or expression coefficients; neither = neutral. */
  frame: number | null;
  expression: number[] | null;
  /** Project-relative inputs, resolved by the host. */
  files: { avatar: string; expressionSpace: string; fit: string | null; headTuning?: string | null };
  /** `mp4` / `png-sequence`: the resolved render settings (video-types.ts); absent for the other formats. */
  video?: VideoSettings | null;
  /** `bundle` / `maps` / `mesh-obj` / `mesh-gltf`: the files and metadata they need (data-export-request.ts). */
  data?: DataParams | null;
  /** Absolute target file (a folder for `maps` and `mesh-obj`). */
  target: string;
}

export interface ExportOutput {
  target: string;
  size: number;
  sha256: string;
  gaussians: number;
  dropped: number;
  seconds: number;
  /** Rendered formats: frames written. */
  frames?: number;
}
