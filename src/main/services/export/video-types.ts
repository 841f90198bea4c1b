import type { ExportFormatOfKind } from '@shared/model/export-formats';

/** Settings of a rendered export (`mp4`, `png-sequence`), shared by the host (checks) and the worker (render). */
export type VideoFormat = ExportFormatOfKind<'video'>;

export interface VideoSettings {
  /** `turntable`: a 360° orbit around the head; `tracked`: the capture's tracked motion from the home view. */
  sequence: 'turntable' | 'tracked';
  width: number;
  height: number;
  fps: number;
  /** H.264 constant rate factor (0 best … 51 worst; 18 ≈ visually lossless, 23 libx264's default). MP4 only. */
  crf: number;
  /** Turntable: number of frames for the full turn. Tracked: ignored (one video frame per tracked frame). */
  frames: number;
  /** Turntable: expression coefficients held during the turn (null = neutral). */
  expression: number[] | null;
  /** Tracked: show the tracked rigid head motion (the viewport's "Apply the tracked head pose"). */
  headPose: boolean;
}

export const VIDEO_DEFAULTS = { width: 512, height: 512, fps: 25, crf: 20, frames: 72 } as const;
/** Size limits of a rendered export (even sizes: H.264 in yuv420p needs them). */
export const VIDEO_SIZE = { min: 16, max: 4096 } as const;

/** Background of MP4 frames: the viewport's stage colour (sRGB 0–1), so a video looks like the studio. */
export const VIDEO_BACKGROUND: [number, number, number] = [0.11, 0.115, 0.125];
