import { z } from 'zod';

/** Training presets: image long side, UV resolution and step count (see services/training/presets.ts). */
export const TrainingPreset = z.enum(['preview', 'standard', 'high']);
export type TrainingPreset = z.infer<typeof TrainingPreset>;

/**
 * Every hyper-parameter of a training run (services/training/README.md explains each). A preset fills them all;
 * `training.start` overrides any of them. Fractions of the step count keep the schedule meaningful when the steps
 * change.
 */
// Fields added after configurations were first stored: the defaults fill older stored configurations only. Overrides
// take them without the default, or zod 4 would fill an omitted override and mask the preset's value.
const FrameSubject = z.boolean();
const TestTimeFit = z.number().int().min(0).max(200);

export const TrainingConfig = z.object({
  steps: z.number().int().min(1).max(1_000_000),
  /** UV texels per side of the initial Gaussian layout (N² texels → Gaussians on the head surface). */
  uvResolution: z.number().int().min(8).max(1024),
  /** Training images are downscaled to this long side (px). */
  imageLongSide: z.number().int().min(16).max(4096),
  lrColor: z.number().positive().max(1),
  lrOpacity: z.number().positive().max(1),
  lrScale: z.number().positive().max(1),
  lrRotation: z.number().positive().max(1),
  /** Normal offset learning rate, metres per step. */
  lrOffset: z.number().positive().max(0.01),
  /** D-SSIM weight λ of the photometric loss (1 − λ)·… L1 + λ·D-SSIM. */
  dssimWeight: z.number().min(0).max(1),
  /** Densification runs from/until these fractions of the steps, every `densifyInterval` steps (0: a fifth of the steps). */
  densifyFrom: z.number().min(0).max(1),
  densifyUntil: z.number().min(0).max(1),
  densifyInterval: z.number().int().min(0).max(1_000_000),
  /** Densification stops growing at this multiple of the initial Gaussian count (1: no growth). */
  densifyBudget: z.number().min(1).max(20),
  /** Prune-only passes every this many steps (0: 45 % of the steps); Gaussians below `pruneOpacity` go. */
  pruneInterval: z.number().int().min(0).max(1_000_000),
  pruneOpacity: z.number().min(0).max(0.5),
  shDegree: z.number().int().min(0).max(3),
  /** Loss weight multiplier inside the mouth region (1: off). */
  mouthWeight: z.number().min(1).max(10),
  /**
   * Train and evaluate on square frames cropped around the tracked head (smoothed over time), imageLongSide a side,
   * instead of whole frames: a wide shot's face gets the whole resolution.
   */
  frameSubject: FrameSubject.default(true),
  /**
   * Passes of test-time fitting before evaluation (0: off): each held-out frame's head pose, expression and jaw are
   * fitted to its image with the avatar frozen, as FATE and GHS evaluate, so the figures measure the avatar rather
   * than the tracker's error on frames it never trained on.
   */
  testTimeFit: TestTimeFit.default(0),
  /** Fine-tune each frame's tracked head parameters and learn expression/pose corrective blend shapes. */
  headTuning: z.boolean(),
  background: z.enum(['random', 'black', 'white']),
  seed: z.number().int().min(0).max(2 ** 31 - 1),
  /** Minutes between time-based checkpoints (besides every tenth of the steps and at a stop). */
  checkpointMinutes: z.number().min(0.01).max(240),
  /** Seconds between live previews / validation PSNR. */
  previewSeconds: z.number().min(1).max(3600),
});
export type TrainingConfig = z.infer<typeof TrainingConfig>;

/** What `training.start` may change: any hyper-parameter, plus a camera whose frames are all held out for evaluation. */
export const TrainingOverrides = TrainingConfig.extend({ frameSubject: FrameSubject, testTimeFit: TestTimeFit }).partial().extend({
  /** Camera id or name (multi-view captures): train on the other cameras, evaluate novel-view PSNR/SSIM on this one. */
  holdOutCamera: z.string().min(1).max(200).optional(),
});
export type TrainingOverrides = z.infer<typeof TrainingOverrides>;

const COMMON: Omit<TrainingConfig, 'steps' | 'uvResolution' | 'imageLongSide'> = {
  lrColor: 0.05,
  lrOpacity: 0.08,
  lrScale: 0.005,
  lrRotation: 0.002,
  lrOffset: 5e-5,
  dssimWeight: 0.2,
  densifyFrom: 0.4,
  densifyUntil: 0.8,
  densifyInterval: 0,
  densifyBudget: 1.5,
  pruneInterval: 0,
  pruneOpacity: 0.005,
  shDegree: 0,
  mouthWeight: 1,
  headTuning: false,
  frameSubject: true,
  testTimeFit: 0,
  background: 'random',
  seed: 7,
  checkpointMinutes: 10,
  previewSeconds: 5,
};

/** Full configuration of each preset (preview and standard measured on held-out clips; high not yet run to the end). */
export const TRAINING_PRESETS: Record<TrainingPreset, TrainingConfig> = {
  preview: { ...COMMON, imageLongSide: 128, uvResolution: 64, steps: 1500 },
  // 6000 steps: on held-out d19 (8000 steps) the validation PSNR stopped rising after ~4000; 6000 fits a 20-second clip
  // in an hour on a 2-core CPU. The quality presets score after test-time fitting (GHS, FATE) and keep the tracked
  // figures beside it.
  standard: { ...COMMON, imageLongSide: 256, uvResolution: 128, steps: 6_000, lrColor: 0.02, shDegree: 1, headTuning: true, testTimeFit: 10 },
  high: { ...COMMON, imageLongSide: 512, uvResolution: 256, steps: 60_000, lrColor: 0.01, shDegree: 2, densifyBudget: 2, headTuning: true, mouthWeight: 2, testTimeFit: 10 },
};

export const AvatarMetrics = z.object({ psnr: z.number(), ssim: z.number() });
export type AvatarMetrics = z.infer<typeof AvatarMetrics>;

/**
 * Where an avatar version came from: a training run, the texture editor's Apply (a re-sampled copy of `parentId`), or
 * an imported bundle.
 */
export const AvatarOrigin = z.enum(['training', 'texture', 'import']);
export type AvatarOrigin = z.infer<typeof AvatarOrigin>;

/** A trained avatar: UV-bound Gaussians on a head model, with its held-out (test split) quality. */
export const Avatar = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  version: z.number().int(),
  headModel: z.string(),
  createdAt: z.number(),
  /**
   * Means over the capture's test frames; null when the capture had none, and for a texture edit (Apply), which is
   * never evaluated — its parent's figures are not its own.
   */
  metrics: AvatarMetrics.nullable(),
  origin: AvatarOrigin.default('training'),
  /** The version this one was made from (a texture edit's source); null otherwise. The parent may since be deleted. */
  parentId: z.string().nullable().default(null),
  parentVersion: z.number().int().nullable().default(null),
  captureId: z.string().nullable(),
  preset: TrainingPreset.nullable(),
  steps: z.number().int().nullable(),
  gaussians: z.number().int().nullable(),
});
export type Avatar = z.infer<typeof Avatar>;

export const ReportFrame = z.object({
  idx: z.number().int(),
  cameraId: z.string().nullable(),
  psnr: z.number(),
  ssim: z.number(),
  /** PSNR over the frame's head matte (what the avatar can learn); null when not recorded. */
  maskedPsnr: z.number().nullable(),
  /** PSNR / SSIM over the square crop around the head matte (the headline figure); null when not recorded. */
  cropPsnr: z.number().nullable().default(null),
  cropSsim: z.number().nullable().default(null),
  /** Project-relative PNGs (null for runs recorded before images were written). */
  images: z.object({ groundTruth: z.string(), render: z.string(), error: z.string() }).nullable(),
});
export type ReportFrame = z.infer<typeof ReportFrame>;

/** `training.estimate`: how long a run of a preset would take here, and what the figure rests on. */
export const TrainingEstimate = z.object({
  /** Whole run (loading, steps, evaluation); null when nothing measured says. */
  seconds: z.number().nullable(),
  /** 'earlier-runs': this library's runs of the same size; 'cpu-measurement': the bench's CPU figure scaled by cores. */
  basis: z.enum(['earlier-runs', 'cpu-measurement', 'none']),
  runs: z.number().int(),
});
export type TrainingEstimate = z.infer<typeof TrainingEstimate>;

export const TrainingReport = z.object({
  avatarId: z.string(),
  /** A texture edit has no run of its own: no figures, no frames; `parentVersion` is the version it was made from. */
  origin: AvatarOrigin.default('training'),
  parentVersion: z.number().int().nullable().default(null),
  metrics: AvatarMetrics.nullable(),
  /** 'split': the capture's test frames; 'camera': every frame of a held-out camera (novel view). */
  evaluation: z.enum(['split', 'camera']),
  holdOutCamera: z.string().nullable(),
  config: TrainingConfig.partial().nullable(),
  preset: TrainingPreset.nullable(),
  trainFrames: z.number().int().nullable(),
  skippedFrames: z.number().int().nullable(),
  steps: z.number().int().nullable(),
  gaussians: z.number().int().nullable(),
  seconds: z.number().nullable(),
  /**
   * What `metrics` measures: 'head crop' (runs since the head-crop evaluation: the mean over test frames of PSNR / SSIM
   * on a square crop around the head) or 'full frame' (earlier runs).
   */
  metricsOver: z.enum(['head crop', 'full frame']).default('full frame'),
  /**
   * Runs with test-time fitting: the headline figures before it, with the tracker's head pose and expression (`metrics`
   * are after it); null otherwise.
   */
  trackedMetrics: AvatarMetrics.nullable().default(null),
  /** Means over the full frames, and the head-matte PSNR mean; null for earlier runs. */
  fullFrame: AvatarMetrics.nullable().default(null),
  headMattePsnr: z.number().nullable().default(null),
  perFrame: z.array(ReportFrame),
});
export type TrainingReport = z.infer<typeof TrainingReport>;
