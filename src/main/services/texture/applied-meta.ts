import type { ResampleReport } from '@engine/avatar/bake/resample';

/**
 * What the edited version's meta says about its own evaluation and run, which a texture edit does not inherit: the
 * new version is never evaluated, so its parent's held-out figures (and the seconds its training took) are not its own.
 * `avatarBlobId` names the parent's `avatar.bin` blob.
 */
export const NOT_INHERITED = ['metrics', 'trackedMetrics', 'metricsOver', 'fullFrame', 'headMattePsnr', 'perFrame', 'seconds', 'avatarBlobId'] as const;

/**
 * The meta (the avatar row's, or `meta.json` in its folder) of a version made by applying texture edits to `from`:
 * what is still true of the source (capture, preset, steps, training frames, head model, image size, run settings),
 * the new Gaussian count, and `textureApplied` saying where it came from (`from`, `fromVersion`) and what changed.
 */
export function appliedMeta(
  source: Record<string, unknown>,
  a: { avatarId?: string; from: string; fromVersion: number | undefined; gaussians: number; layers: number; report: ResampleReport },
): Record<string, unknown> {
  const kept = Object.fromEntries(Object.entries(source).filter(([k]) => !(NOT_INHERITED as readonly string[]).includes(k) && k !== 'textureApplied'));
  return {
    ...kept,
    ...(a.avatarId && 'avatarId' in source ? { avatarId: a.avatarId } : {}),
    gaussians: a.gaussians,
    textureApplied: { from: a.from, ...(a.fromVersion !== undefined ? { fromVersion: a.fromVersion } : {}), layers: a.layers, ...a.report },
  };
}
