import type { TrainingConfig, TrainingPreset } from '@shared/model/avatar';

/** Params of an `avatar.train` job (the resolved configuration is stored, so a resume trains the same run). */
export interface TrainParams {
  projectId: string;
  captureId: string;
  avatarId: string;
  runId: string;
  preset: TrainingPreset;
  config: TrainingConfig;
  /** Camera id whose frames are all held out for (novel-view) evaluation; null: the capture's test split. */
  holdOutCamera: string | null;
}

export interface TrainCheckpoint {
  step: number;
  /** Seconds the run had worked when this checkpoint was written, over all attempts (absent in older checkpoints). */
  seconds?: number;
}

export interface EvaluatedFrame {
  idx: number;
  cameraId: string;
  psnr: number;
  ssim: number;
  /** PSNR over the frame's head matte; null without one. */
  maskedPsnr: number | null;
  /** PSNR / SSIM over the square crop around the head (`headCropBox`); null without a matte. */
  crop: { psnr: number; ssim: number } | null;
  /** File names inside the avatar folder (`eval/…`). */
  images: { groundTruth: string; render: string; error: string };
}

export interface TrainOutput {
  avatarId: string;
  headModel: string;
  steps: number;
  /** The step the run resumed from (0 for a fresh start). */
  resumedFrom: number;
  gaussians: number;
  trainFrames: number;
  skippedFrames: number;
  /**
   * The headline: means over the evaluated frames of the head-crop PSNR / SSIM (a frame without a matte counts with
   * its full-frame figures); null without any evaluated frame.
   */
  metrics: { psnr: number; ssim: number } | null;
  /**
   * With test-time fitting: the headline figures before it, with the tracker's head parameters (`metrics` are after
   * it); null when the run did not fit its test frames.
   */
  trackedMetrics: { psnr: number; ssim: number } | null;
  /** Means of the full-frame PSNR / SSIM. */
  fullFrame: { psnr: number; ssim: number } | null;
  /** Mean PSNR over the head matte (frames that have one). */
  headMattePsnr: number | null;
  perFrame: EvaluatedFrame[];
  /** Files inside the avatar folder to record as blobs. */
  files: string[];
  /** Working time over all attempts (up to each resume's checkpoint, plus the last attempt). */
  seconds: number;
}

export const MIN_TRAIN_FRAMES = 8;

/** Partial and final folders of an avatar, project-relative. */
export const avatarDir = (avatarId: string) => `avatars/${avatarId}`;
export const avatarPartialDir = (avatarId: string) => `avatars/${avatarId}.partial`;

/** The tracking output of a capture, project-relative. */
export { trackingDir as captureTrackingDir } from '../tracking/tracking-paths';
