import type { Avatar } from '@shared/model/avatar';

type Titled = Pick<Avatar, 'name' | 'version'>;
type Described = Pick<Avatar, 'metrics' | 'origin' | 'parentVersion'>;

/** "Ada avatar v2": versions share their name, so a title always carries the number. */
export const avatarTitle = (a: Titled): string => `${a.name} v${a.version}`;

/** What a version is beside its title: "texture edit of v1", "imported", or '' for a trained one. */
export function avatarOriginText(a: Pick<Avatar, 'origin' | 'parentVersion'>): string {
  if (a.origin === 'texture') return a.parentVersion !== null ? `texture edit of v${a.parentVersion}` : 'texture edit';
  return a.origin === 'import' ? 'imported' : '';
}

/**
 * One line after an avatar's title: its origin and the held-out PSNR it was measured with — "test PSNR 22.3 dB",
 * "texture edit of v1" (a texture edit is never evaluated, so it shows no figure), "imported · test PSNR 24.0 dB",
 * "not evaluated" (trained on a capture without test frames).
 */
export function avatarSummary(a: Described): string {
  const origin = avatarOriginText(a);
  const figure = a.metrics ? `test PSNR ${a.metrics.psnr.toFixed(1)} dB` : a.origin === 'texture' ? '' : 'not evaluated';
  return [origin, figure].filter(Boolean).join(' · ');
}
