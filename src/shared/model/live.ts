import { z } from 'zod';

/**
 * `live.track`: one camera frame of the Live page, tracked in the services host (see
 * src/main/services/live/README.md for why the host and not the page). The JPEG travels base64 in the JSON call, so
 * it must stay well under the 1 MiB message limit (the page sends ≤ 640 px, quality 0.8: 20–60 kB).
 */
export const LiveTrackParams = z
  .strictObject({
    /** Chosen by the page, one per camera session: the tracker's smoothing and re-detection carry across its frames. */
    session: z.string().min(8).max(64),
    /** The frame as a base64 JPEG (≤ 640 px). */
    jpeg: z.string().min(4).max(1_000_000).optional(),
    /**
     * Or the frame as base64 raw RGB, 3 bytes a pixel, row-major (`width` × `height`, ≤ 480 px so it fits the message
     * limit): what the page sends, because decoding a JPEG in the host costs more than the tracker (docs/live.md).
     */
    rgb: z.string().min(4).max(1_000_000).optional(),
    width: z.number().int().min(16).max(640).optional(),
    height: z.number().int().min(16).max(640).optional(),
    /** Capture time of the frame in ms (the page's clock); drives the One Euro filter's time steps. */
    time: z.number().finite(),
    /** Forget the tracked face first (the source changed). */
    reset: z.boolean().optional(),
  })
  .refine((p) => (p.jpeg === undefined) !== (p.rgb === undefined), { message: 'Give the frame as jpeg or as rgb (one of them).' })
  .refine((p) => p.rgb === undefined || (p.width !== undefined && p.height !== undefined), { message: 'A raw rgb frame needs its width and height.' });
export type LiveTrackParams = z.output<typeof LiveTrackParams>;

export const LiveTrackResult = z.object({
  tracked: z.boolean(),
  reason: z.string().nullable(),
  width: z.number(),
  height: z.number(),
  confidence: z.number(),
  /** 478 × [x, y, z] in frame pixels (One Euro smoothed), or null when untracked. */
  landmarks: z.array(z.number()).nullable(),
  /** Rough head rotation from the mesh (radians). */
  pose: z.object({ yaw: z.number(), pitch: z.number(), roll: z.number() }).nullable(),
  redetected: z.boolean(),
  /** Host-side timings (ms): frame decode (JPEG, or base64 of raw RGB), the tracker's own time, and the whole call inside the host. */
  decodeMs: z.number(),
  trackMs: z.number(),
  hostMs: z.number(),
});
export type LiveTrackResult = z.output<typeof LiveTrackResult>;

/** The face models the Live page runs in the page (onnxruntime-web) when that tracking path is the faster one. */
export const LiveModelName = z.enum(['blazeface', 'facemesh', 'iris']);
export type LiveModelName = z.output<typeof LiveModelName>;

/** `live.model`: one of the tracker's converted ONNX models (the same files the host runs), base64. */
export const LiveModelResult = z.object({ name: LiveModelName, bytes: z.number(), onnx: z.string() });
export type LiveModelResult = z.output<typeof LiveModelResult>;
