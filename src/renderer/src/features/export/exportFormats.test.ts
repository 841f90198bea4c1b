import { describe, expect, it } from 'vitest';
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { ExportRecord } from '@shared/model/export';
import { DEFAULT_FORM, exportRequest, FORMATS, formError, repeatUnavailableReason, settingsSummary, unavailableReason } from './exportFormats';
import { ExportFormat } from '@shared/model/export';

const info = (o: { bake?: boolean; fits?: number; space?: boolean } = {}): AvatarWithFiles =>
  ({
    avatar: { id: 'a', projectId: 'p', name: 'Anna', version: 2, headModel: 'open-head' },
    files: {
      avatar: 'avatars/a/avatar.bin',
      meta: 'avatars/a/meta.json',
      expressionSpace: o.space === false ? null : 'captures/c/tracking/expression-space.json',
      headTuning: null,
      fits: Array.from({ length: o.fits ?? 1 }, (_, i) => ({ cameraId: `c${i}`, cameraName: 'cam', path: `f${i}.json` })),
      bake: o.bake ? { maps: 'm', bakedAvatar: 'b', colour: 'c', opacity: 'o', visibility: 'v', report: 'r' } : null,
    },
    fps: 25,
  }) as unknown as AvatarWithFiles;

describe('export dialog model', () => {
  it('lists every format of the API once', () => {
    expect(FORMATS.map((f) => f.id).sort()).toEqual([...ExportFormat.options].sort());
  });

  it('disables maps without a bake and mesh sequences without tracking, with the reason', () => {
    expect(unavailableReason('maps', info())).toMatch(/No bake yet/);
    expect(unavailableReason('maps', info({ bake: true }))).toBeNull();
    expect(unavailableReason('mesh-obj', info({ fits: 0 }))).toMatch(/no tracked frames/);
    expect(unavailableReason('mp4', info({ fits: 0 }))).toBeNull();
    expect(unavailableReason('ply', info({ space: false }))).toMatch(/Track the capture again/);
  });

  it('builds exports.create params per kind and checks the form', () => {
    expect(exportRequest('a', { ...DEFAULT_FORM, format: 'ply', pose: 'frame', frame: 7 })).toEqual({ avatarId: 'a', format: 'ply', frame: 7 });
    expect(exportRequest('a', { ...DEFAULT_FORM, format: 'mp4', width: 640, height: 360, fps: 30, quality: 18, turntableFrames: 90 })).toEqual({
      avatarId: 'a',
      format: 'mp4',
      video: { sequence: 'turntable', width: 640, height: 360, fps: 30, crf: 18, frames: 90 },
    });
    expect(exportRequest('a', { ...DEFAULT_FORM, format: 'png-sequence', sequence: 'tracked' })).toEqual({ avatarId: 'a', format: 'png-sequence', video: { sequence: 'tracked', width: 512, height: 512, fps: 25 } });
    expect(exportRequest('a', { ...DEFAULT_FORM, format: 'mesh-gltf', frameStep: 3 })).toEqual({ avatarId: 'a', format: 'mesh-gltf', frameStep: 3 });
    expect(formError({ ...DEFAULT_FORM, format: 'mp4', width: 511 }, info())).toMatch(/even number/);
    expect(formError({ ...DEFAULT_FORM, format: 'mp4', sequence: 'tracked' }, info({ fits: 0 }))).toMatch(/turntable/);
    expect(formError({ ...DEFAULT_FORM, format: 'player' }, info())).toBeNull();
  });

  it('summarises past exports', () => {
    const rec = (format: ExportRecord['format'], settings: Partial<ExportRecord['settings']>): ExportRecord => ({ id: 'e', projectId: 'p', avatarId: 'a', format, settings: { frame: null, expression: null, ...settings }, path: 'exports/x', size: 1, createdAt: 0 });
    expect(settingsSummary(rec('mp4', { video: { sequence: 'turntable', width: 96, height: 64, fps: 8, crf: 20 }, frames: 8 }))).toBe('turntable, 96×64, 8 fps, CRF 20, 8 frames');
    expect(settingsSummary(rec('ply', { frame: 3 }))).toBe('frame 3');
    expect(settingsSummary(rec('gltf', {}))).toBe('neutral');
    // driven videos (services/drive): the driver and how
    const driven = rec('mp4', { frames: 78, drive: { source: { video: '/footage/d0.mp4' }, size: 256, sideBySide: true, intensity: 1.5, mirror: false, followPose: true, tracked: 78 } });
    expect(settingsSummary(driven)).toBe('driven by d0.mp4, 512×256, side by side, intensity 1.5, 78 frames');
    expect(settingsSummary(rec('mp4', { frames: 9, drive: { source: { captureId: 'c', name: 'Take 2' }, size: 512, mirror: true } }))).toBe('driven by the capture “Take 2”, 512×512, mirrored, 9 frames');
    expect(settingsSummary(rec('mp4', { drive: { source: { captureId: 'c' } } }))).toBe('driven by a capture');
    expect(repeatUnavailableReason(driven)).toMatch(/drive the avatar again/);
    expect(repeatUnavailableReason(rec('ply', {}))).toBeNull();
  });
});
