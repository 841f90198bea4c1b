import { StudioError } from '@shared/api/errors';
import type { StudioServices } from '../studio-services';

const BUSY = new Set(['queued', 'running', 'paused']);

/** Why an avatar's texture cannot be edited now (its training or bake job is active), or null. */
export function textureLockReason(s: Pick<StudioServices, 'jobs'>, avatarId: string): string | null {
  const jobs = s.jobs.list({ includeFinished: false }).filter((j) => BUSY.has(j.status) && (j.params as { avatarId?: string } | null)?.avatarId === avatarId);
  if (jobs.some((j) => j.kind === 'avatar.train')) return 'This avatar is still training; edit its texture once training has finished.';
  if (jobs.some((j) => j.kind === 'avatar.bake')) return 'This avatar is being baked; edit its texture once the bake has finished.';
  return null;
}

/** CONFLICT when the avatar's texture cannot be edited now. */
export function assertTextureEditable(s: Pick<StudioServices, 'jobs'>, avatarId: string): void {
  const reason = textureLockReason(s, avatarId);
  if (reason) throw new StudioError('CONFLICT', reason, { avatarId });
}
