import { describe, expect, it } from 'vitest';
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { ExportRecord } from '@shared/model/export';
import { DEFAULT_FORM, exportAction, exportRequest, exportResultText, FORMATS, formError, repeatUnavailableReason, settingsSummary, unavailableReason, type ExportUrls } from './exportFormats';
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

  it('offers the download of a written export: a file as it is, a folder as a zip in web mode, else its path', () => {
    const web: ExportUrls = { assetUrl: (p, rel) => `/files/${p}/${rel}?token=t`, exportZipUrl: (p, id) => `/exports/${p}/${id}.zip?token=t` };
    const desktop: ExportUrls = { assetUrl: (p, rel) => `studio://files/${p}/${rel}`, exportZipUrl: () => null };
    const e = (format: ExportRecord['format'], path: string | null) => ({ id: 'e1', projectId: 'p1', format, path });
    expect(exportAction(e('ply', 'exports/Anna-v2-neutral.ply'), web)).toEqual({ kind: 'download', href: '/files/p1/exports/Anna-v2-neutral.ply?token=t', name: 'Anna-v2-neutral.ply' });
    expect(exportAction(e('player', 'exports/Anna-v2-player'), web)).toEqual({ kind: 'download', href: '/exports/p1/e1.zip?token=t', name: 'Anna-v2-player.zip' });
    expect(exportAction(e('png-sequence', 'exports/Anna-v2-turntable-512x512-png'), web)).toMatchObject({ kind: 'download', name: 'Anna-v2-turntable-512x512-png.zip' });
    expect(exportAction(e('player', 'exports/Anna-v2-player'), desktop)).toEqual({ kind: 'path', path: 'exports/Anna-v2-player/' });
    expect(exportAction(e('ply', 'exports/a.ply'), desktop)).toEqual({ kind: 'download', href: 'studio://files/p1/exports/a.ply', name: 'a.ply' });
    // written outside the project (API / CLI path): only where it is
    expect(exportAction(e('ply', '/home/anna/out.ply'), web)).toEqual({ kind: 'path', path: '/home/anna/out.ply' });
    expect(exportAction(e('player', 'D:\\exports\\player'), web)).toEqual({ kind: 'path', path: 'D:\\exports\\player/' });
    expect(exportAction(e('ply', null), web)).toBeNull();
  });

  it('says what the finished export wrote', () => {
    expect(exportResultText({ size: 308_224, seconds: 0.42 }, 'ply')).toBe(' — 301 KB in 0.4 s');
    expect(exportResultText({ size: 23_592_960, seconds: 7.4 }, 'player')).toBe(' — 23 MB (a folder) in 7.4 s');
    expect(exportResultText({ size: 103_209, seconds: 300.6, frames: 72 }, 'mp4')).toBe(' — 101 KB, 72 frames in 300.6 s');
    expect(exportResultText({ size: 209_564, frames: 3 }, 'maps')).toBe(' — 205 KB (a folder)');
    expect(exportResultText(null, 'ply')).toBe('');
    expect(exportResultText({}, 'ply')).toBe('');
  });
});
