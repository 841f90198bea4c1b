/** Params and output of the `avatar.export` job (host and worker share them without loading each other's code). */
import type { VideoFormat, VideoSettings } from './video-types';
import type { DataFormat, DataParams } from './data-export-request';

export type StaticExportFormat = 'ply' | 'gltf' | 'spz';
/** Formats the job writes (static splats, rendered video). */
export type JobExportFormat = StaticExportFormat | VideoFormat | DataFormat | 'player';

export const EXPORT_EXTENSIONS: Record<StaticExportFormat, string> = { ply: 'ply', gltf: 'glb', spz: 'spz' };

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
