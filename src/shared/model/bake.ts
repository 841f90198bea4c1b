import { z } from 'zod';

const Metrics = z.object({ psnr: z.number(), ssim: z.number() });

/** Map sizes a bake accepts (finest level M×M). */
export const BakeMapSize = z.union([z.literal(256), z.literal(512), z.literal(1024)]);
export type BakeMapSize = z.infer<typeof BakeMapSize>;

/** Project-relative files of a finished bake (`avatars/<id>/bake/*`); same shape as `avatars.get` files.bake. */
export const BakeFiles = z.object({ maps: z.string(), bakedAvatar: z.string(), colour: z.string(), opacity: z.string(), visibility: z.string(), report: z.string() });
export type BakeFiles = z.infer<typeof BakeFiles>;

/**
 * `report.json` of a bake (written by the `avatar.bake` job; the engine's BakeReport plus what the job knows), and
 * the result of `bake.report`.
 */
export const BakeSummary = z.object({
  avatarId: z.string(),
  mapSize: z.number().int(),
  levels: z.number().int(),
  steps: z.number().int(),
  /** Bake views (tracked train frames the trained avatar was rendered from). */
  views: z.number().int(),
  gaussians: z.number().int(),
  observedGaussians: z.number().int(),
  /** Fraction of covered texels that are observed (visibility 2). */
  observedTexelFraction: z.number(),
  lossFirst: z.number().nullable(),
  lossLast: z.number().nullable(),
  /** Mean PSNR/SSIM against the held-out frames of the unbaked (before) and the baked (after) avatar; null without held-out frames. */
  heldOut: z.object({ frames: z.number().int(), before: Metrics, after: Metrics, dropDb: z.number() }).nullable(),
  /** Baked renders vs the unbaked avatar's renders of the held-out views. */
  fidelity: Metrics.nullable(),
  seconds: z.object({ load: z.number(), observe: z.number(), fit: z.number(), evaluate: z.number(), total: z.number() }),
  bakedAt: z.number(),
  files: BakeFiles,
});
export type BakeSummary = z.infer<typeof BakeSummary>;
