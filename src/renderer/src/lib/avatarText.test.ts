import { describe, expect, it } from 'vitest';
import { Avatar } from '@shared/model/avatar';
import { avatarOriginText, avatarSummary, avatarTitle } from './avatarText';

const trained = Avatar.parse({ id: 'a1', projectId: 'p', name: 'Ada avatar', version: 1, headModel: 'open-head', createdAt: 0, metrics: { psnr: 22.34, ssim: 0.8 }, captureId: 'c', preset: 'preview', steps: 1500, gaussians: 4000 });

describe('avatar text', () => {
  it('parses rows recorded before versions said where they came from as trained ones', () => {
    expect(trained).toMatchObject({ origin: 'training', parentId: null, parentVersion: null });
  });

  it('tells a version and its texture edit apart at a glance', () => {
    const edit = { ...trained, id: 'a2', version: 2, metrics: null, origin: 'texture' as const, parentId: 'a1', parentVersion: 1 };
    const a = `${avatarTitle(trained)} · ${avatarSummary(trained)}`;
    const b = `${avatarTitle(edit)} · ${avatarSummary(edit)}`;
    expect(a).toBe('Ada avatar v1 · test PSNR 22.3 dB');
    expect(b).toBe('Ada avatar v2 · texture edit of v1');
    expect(avatarOriginText({ origin: 'texture', parentVersion: null })).toBe('texture edit');
  });

  it('says when a trained avatar has no figures, and keeps an imported one’s', () => {
    expect(avatarSummary({ metrics: null, origin: 'training', parentVersion: null })).toBe('not evaluated');
    expect(avatarSummary({ metrics: { psnr: 24, ssim: 0.9 }, origin: 'import', parentVersion: null })).toBe('imported · test PSNR 24.0 dB');
    expect(avatarSummary({ metrics: null, origin: 'import', parentVersion: null })).toBe('imported · not evaluated');
  });
});
