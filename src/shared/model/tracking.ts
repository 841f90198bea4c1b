import { z } from 'zod';

export const UntrackedReason = z.enum(['no-face', 'low-confidence', 'too-dark', 'decode-failed']);
export const TrackWarning = z.enum(['several-faces', 'partial-face', 'profile', 'dark', 'redetected']);
const Box = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

/** What tracking found on one frame of one camera (the quality strip and the preview overlay read this). */
export const TrackedFrame = z.object({
  idx: z.number().int(),
  cameraId: z.string(),
  tracked: z.boolean(),
  reason: UntrackedReason.nullable(),
  warnings: z.array(TrackWarning),
  /** Mesh confidence 0..1. */
  confidence: z.number(),
  box: Box.nullable(),
  /** Faces the detector found on this frame (largest first) and which one is followed. */
  faces: z.array(z.object({ box: Box, score: z.number() })),
  chosenFace: z.number().int(),
  /** RMS distance between the fitted head model's landmarks and the tracked ones, pixels. */
  fitErrorPx: z.number().nullable(),
});
export type TrackedFrame = z.infer<typeof TrackedFrame>;

export const TrackingSummary = z.object({
  frames: z.number().int(),
  tracked: z.number().int(),
  headModel: z.string(),
  meanFitErrorPx: z.number().nullable(),
  untracked: z.record(z.string(), z.number().int()),
  warnings: z.record(z.string(), z.number().int()),
  trackedAt: z.number().int(),
  /** The face the user picked (stored-frame pixels), when not the largest. */
  pick: z.object({ x: z.number(), y: z.number() }).nullable(),
  /** Plain-language notes from the tracker (several faces, dark frames…). */
  messages: z.array(z.string()),
});
export type TrackingSummary = z.infer<typeof TrackingSummary>;

/** Landmarks and the fitted mesh of one frame, in stored-frame pixels, for the preview overlay. */
export const TrackingOverlay = z.object({
  idx: z.number().int(),
  cameraId: z.string(),
  tracked: z.boolean(),
  /** 478 × [x, y] (468 face mesh + 10 iris). */
  landmarks: z.array(z.number()).nullable(),
  /** The fitted head model projected into the frame: V × [x, y], and its triangles (T × 3 vertex indices). */
  mesh: z.object({ vertices: z.array(z.number()), triangles: z.array(z.number().int()).nullable() }).nullable(),
});
export type TrackingOverlay = z.infer<typeof TrackingOverlay>;
