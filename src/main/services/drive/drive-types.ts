/** The `avatar.drive` job's params and output, shared by the host (checks, commit) and the worker (render). */
import type { ExportParams } from '../export/export-types';

export interface DriveSettings {
  /** Avatar frame size (square), pixels; the video is `size`² or, side by side, 2·`size` × `size`. */
  size: number;
  /** Show the driver's frame left of the avatar. */
  sideBySide: boolean;
  /** Expression intensity (1 = as driven). */
  intensity: number;
  /** 0 = no smoothing … 1 = heaviest (One Euro). */
  smoothing: number;
  followPose: boolean;
  mirror: boolean;
  /** First frame of the calibration window (the driver's neutral); default 0. */
  neutralFrame: number;
  /** Frames averaged by the calibration. */
  calibrationFrames: number;
  /** H.264 constant rate factor. */
  crf: number;
  /** Drive at most this many frames (null = all). */
  maxFrames: number | null;
}

export const DRIVE_DEFAULTS: DriveSettings = { size: 512, sideBySide: false, intensity: 1, smoothing: 0.3, followPose: true, mirror: false, neutralFrame: 0, calibrationFrames: 10, crf: 20, maxFrames: null };

export type DriveSource =
  | { kind: 'video'; file: string }
  /** A capture of the library: its first camera's frame images (absolute paths) and times. */
  | { kind: 'capture'; captureId: string; name: string; fps: number; frames: { file: string; time: number }[] };

export interface DriveParams {
  driveId: string;
  projectId: string;
  avatarId: string;
  /** Project-relative avatar inputs, resolved by the host (as the video export's). */
  files: ExportParams['files'];
  source: DriveSource;
  settings: DriveSettings;
  /** Absolute target .mp4. */
  target: string;
}

export interface DriveOutput {
  target: string;
  size: number;
  sha256: string;
  frames: number;
  /** Frames on which the driver's face was tracked. */
  tracked: number;
  width: number;
  height: number;
  fps: number;
  calibration: { frames: number; spreadMm: number };
  /** Mean over driven frames of the fraction of coefficients at their clamp. */
  clampedFraction: number;
  /** Mean per-frame times (ms). */
  timings: { trackMs: number; retargetMs: number; renderMs: number; totalMs: number };
  seconds: number;
}
