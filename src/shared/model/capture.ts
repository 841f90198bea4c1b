import { z } from 'zod';

export const CaptureId = z.string().regex(/^[0-9a-f]{32}$/, 'must be a capture id (32 hex characters)');
export type CaptureId = z.infer<typeof CaptureId>;

export const CaptureKind = z.enum(['video', 'images', 'photo', 'multiview']);
export type CaptureKind = z.infer<typeof CaptureKind>;

export const FrameSplit = z.enum(['train', 'test', 'excluded']);
export type FrameSplit = z.infer<typeof FrameSplit>;

/** One view of a capture: a camera with its own frame sequence (single-view captures have one). */
export const Camera = z.object({
  id: z.string(),
  name: z.string(),
  sourceName: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  /** Calibration when known: pinhole intrinsics in pixels of the stored frames and a world→camera 4×4 (row-major). */
  intrinsics: z.object({ fx: z.number(), fy: z.number(), cx: z.number(), cy: z.number() }).nullable(),
  extrinsics: z.array(z.number()).length(16).nullable(),
});
export type Camera = z.infer<typeof Camera>;

export const Capture = z.object({
  id: CaptureId,
  projectId: z.string(),
  name: z.string(),
  kind: CaptureKind,
  /** Frames per second of the stored frames (null for photos and image sequences without timing). */
  fps: z.number().nullable(),
  width: z.number().int(),
  height: z.number().int(),
  /** Frames per camera. */
  frameCount: z.number().int(),
  durationS: z.number(),
  cameras: z.array(Camera),
  createdAt: z.number().int(),
  source: z.object({
    names: z.array(z.string()),
    sha256: z.string(),
    codec: z.string().nullable(),
    fps: z.number().nullable(),
    width: z.number().int(),
    height: z.number().int(),
    rotation: z.number(),
    variableFrameRate: z.boolean(),
  }),
  splitCounts: z.object({ train: z.number().int(), test: z.number().int(), excluded: z.number().int() }),
});
export type Capture = z.infer<typeof Capture>;

export const Frame = z.object({
  idx: z.number().int(),
  cameraId: z.string(),
  timeS: z.number(),
  split: FrameSplit,
  /** Variance of the Laplacian of the grey image at 256 px wide: higher is sharper. */
  sharpness: z.number().nullable(),
  /** Mean luminance 0..1. */
  exposure: z.number().nullable(),
  /** Fraction of clipped (near black or near white) pixels. */
  clipped: z.number().nullable(),
  /** Project-relative paths of the stored frame and its thumbnail. */
  file: z.string(),
  thumb: z.string(),
  width: z.number().int(),
  height: z.number().int(),
});
export type Frame = z.infer<typeof Frame>;

export const FrameRange = z.strictObject({ from: z.number().int().nonnegative(), to: z.number().int().nonnegative() }).refine((r) => r.to >= r.from, 'a range ends at or after its start');
export type FrameRange = z.infer<typeof FrameRange>;

/** A file to import: a path on the machine running the studio, or an upload made through web mode. */
export const ImportSource = z.union([z.strictObject({ path: z.string().min(1) }), z.strictObject({ uploadId: z.string().regex(/^[0-9a-f]{32}$/) })]);
export type ImportSource = z.infer<typeof ImportSource>;

export const ImportOptions = z.strictObject({
  /** Frames per second to extract; default: the source rate capped at 30. */
  fps: z.number().positive().max(240).optional(),
  /** Long side of stored frames in pixels; default 1024 (never upscaled). */
  longSide: z.number().int().min(64).max(4096).default(1024),
  /** Import even if the same file was already imported into this project. */
  allowDuplicate: z.boolean().default(false),
});
export type ImportOptions = z.infer<typeof ImportOptions>;
