/**
 * The export dialog's model, pure (no DOM, no React): the formats with what they write, why one is unavailable for an
 * avatar, the form → `exports.create` request, a one-line summary of a past export's settings, and what the user can
 * do with a written export (download it, as a zip for a folder in web mode, or see its path).
 */
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { ExportRecord } from '@shared/model/export';
import { EXPORT_FORMATS, type ExportFormat, type ExportFormatInfo } from '@shared/model/export-formats';
import { formatBytes } from '../../lib/format';

/** A format as the dialog lists it: the shared registry's entry (label, what it writes, what the form asks, folder). */
export type FormatInfo = ExportFormatInfo & { id: ExportFormat };

/** Every format, from the one registry (src/shared/model/export-formats.ts). */
export const FORMATS: readonly FormatInfo[] = EXPORT_FORMATS;

export const formatInfo = (id: ExportFormat): FormatInfo => EXPORT_FORMATS.find((f) => f.id === id) ?? EXPORT_FORMATS[0]!;

/** Why `format` cannot be exported for this avatar, or null when it can. */
export function unavailableReason(format: ExportFormat, info: AvatarWithFiles | null): string | null {
  if (!info) return 'Loading the avatar…';
  if (info.avatar.headModel !== 'open-head') return `This avatar is bound to the ${info.avatar.headModel} head model; only open-head avatars can be exported.`;
  if (!info.files.expressionSpace) return "The capture's tracking is gone, so the avatar's head cannot be built. Track the capture again.";
  const requires = formatInfo(format).requires;
  if (requires === 'bake' && !info.files.bake) return 'No bake yet: bake the avatar first (its maps come from the bake).';
  if (requires === 'tracked frames' && info.files.fits.length === 0) return 'The capture has no tracked frames, so there is no mesh sequence.';
  return null;
}

export interface ExportForm {
  format: ExportFormat;
  /** ply / gltf: neutral or a tracked frame. */
  pose: 'neutral' | 'frame';
  frame: number;
  sequence: 'turntable' | 'tracked';
  width: number;
  height: number;
  fps: number;
  /** H.264 CRF, 0 best … 51 worst. */
  quality: number;
  turntableFrames: number;
  frameStep: number;
}

export const DEFAULT_FORM: ExportForm = { format: 'ply', pose: 'neutral', frame: 0, sequence: 'turntable', width: 512, height: 512, fps: 25, quality: 20, turntableFrames: 72, frameStep: 1 };

export const SIZE_PRESETS: { label: string; width: number; height: number }[] = [
  { label: '256 × 256', width: 256, height: 256 },
  { label: '512 × 512', width: 512, height: 512 },
  { label: '720 × 720', width: 720, height: 720 },
  { label: '1280 × 720', width: 1280, height: 720 },
  { label: '1080 × 1080', width: 1080, height: 1080 },
];

/** A problem with the form's values, or null. */
export function formError(f: ExportForm, info: AvatarWithFiles | null): string | null {
  const k = formatInfo(f.format).kind;
  if (k === 'video') {
    if (f.sequence === 'tracked' && info && info.files.fits.length === 0) return 'The capture has no tracked frames: choose a turntable.';
    for (const [n, v] of [['Width', f.width], ['Height', f.height]] as const)
      if (!Number.isInteger(v) || v < 16 || v > 4096 || v % 2) return `${n} must be an even number of pixels from 16 to 4096.`;
    if (!(f.fps >= 1 && f.fps <= 120)) return 'Frame rate must be from 1 to 120 fps.';
    if (f.sequence === 'turntable' && !(Number.isInteger(f.turntableFrames) && f.turntableFrames >= 1 && f.turntableFrames <= 3600)) return 'A turntable has 1 to 3600 frames.';
  }
  if (k === 'static' && f.pose === 'frame' && !(Number.isInteger(f.frame) && f.frame >= 0)) return 'Choose a tracked frame (an integer ≥ 0).';
  if (k === 'mesh' && !(Number.isInteger(f.frameStep) && f.frameStep >= 1)) return 'The frame step is an integer ≥ 1.';
  return null;
}

/** The `exports.create` params of a form. */
export function exportRequest(avatarId: string, f: ExportForm): Record<string, unknown> {
  const k = formatInfo(f.format).kind;
  const r: Record<string, unknown> = { avatarId, format: f.format };
  if (k === 'static' && f.pose === 'frame') r.frame = f.frame;
  if (k === 'video')
    r.video = {
      sequence: f.sequence,
      width: f.width,
      height: f.height,
      fps: f.fps,
      ...(f.format === 'mp4' ? { crf: f.quality } : {}),
      ...(f.sequence === 'turntable' ? { frames: f.turntableFrames } : {}),
    };
  if (k === 'mesh' && f.frameStep !== 1) r.frameStep = f.frameStep;
  return r;
}

/** One line about a past export's settings. */
export function settingsSummary(e: ExportRecord): string {
  const s = e.settings;
  if (s.drive) return driveSummary(s.drive, s.frames);
  const v = s.video as (ExportRecord['settings']['video'] & { sequence?: string }) | undefined;
  if (v) return `${v.sequence ?? 'turntable'}, ${v.width ?? '?'}×${v.height ?? '?'}, ${v.fps ?? '?'} fps${e.format === 'mp4' && v.crf !== undefined ? `, CRF ${v.crf}` : ''}${s.frames ? `, ${s.frames} frames` : ''}`;
  const info = formatInfo(e.format);
  if (info.kind === 'static') return s.frame !== null ? `frame ${s.frame}` : s.expression ? 'expression' : 'neutral';
  if (info.kind === 'mesh') return `${s.frames ?? '?'} frames${s.frameStep ? `, every ${s.frameStep}th` : ''}`;
  return s.gaussians ? `${s.gaussians.toLocaleString()} Gaussians` : '';
}

/** A driven video (services/drive): which footage drove it and how. */
function driveSummary(d: NonNullable<ExportRecord['settings']['drive']>, frames: number | undefined): string {
  const by = 'video' in d.source ? (d.source.video.split(/[\\/]/).pop() ?? d.source.video) : d.source.name ? `the capture “${d.source.name}”` : 'a capture';
  const parts = [`driven by ${by}`];
  if (d.size !== undefined) parts.push(d.sideBySide ? `${d.size * 2}×${d.size}, side by side` : `${d.size}×${d.size}`);
  if (d.intensity !== undefined && d.intensity !== 1) parts.push(`intensity ${d.intensity}`);
  if (d.mirror) parts.push('mirrored');
  if (d.followPose === false) parts.push('head still');
  if (frames !== undefined) parts.push(`${frames} frames`);
  return parts.join(', ');
}

/** Why “Export again” cannot repeat this export, or null. */
export function repeatUnavailableReason(e: ExportRecord): string | null {
  if (e.settings.drive) return 'Driven by footage: drive the avatar again (Live page, or `avatar-studio drive`).';
  if (!e.avatarId) return 'The avatar of this export was deleted.';
  return null;
}

/** How the studio reaches an export's file: its URL inside the project, and (web mode) the zip of a folder export. */
export interface ExportUrls {
  assetUrl(projectId: string, relPath: string): string;
  /** Web mode's `/exports/<projectId>/<exportId>.zip?token=…`; null where the folder is on the user's own disk (Electron). */
  exportZipUrl(projectId: string, exportId: string): string | null;
}

/** What the user can do with a written export: download it (a file, or a folder as a .zip), or only see where it is. */
export type ExportAction = { kind: 'download'; href: string; name: string } | { kind: 'path'; path: string };

const isAbsolutePath = (p: string) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');

/**
 * The action of an export (a past one, or the one that just finished): files inside the project download through
 * `assetUrl`; a folder inside the project downloads as `<folder>.zip` where the front door offers it (web mode), else
 * its path shows (Electron: it is on this machine); an export written outside the project shows its path.
 */
export function exportAction(e: Pick<ExportRecord, 'id' | 'projectId' | 'format' | 'path'>, urls: ExportUrls): ExportAction | null {
  if (!e.path) return null;
  const folder = formatInfo(e.format).folder;
  if (isAbsolutePath(e.path)) return { kind: 'path', path: folder ? `${e.path}/` : e.path };
  const base = e.path.split('/').filter(Boolean).at(-1) ?? e.path;
  if (!folder) return { kind: 'download', href: urls.assetUrl(e.projectId, e.path), name: base };
  const zip = urls.exportZipUrl(e.projectId, e.id);
  return zip ? { kind: 'download', href: zip, name: `${base}.zip` } : { kind: 'path', path: `${e.path}/` };
}

/** “ — 301 KB in 0.4 s” after “Exported” (a folder's size is what it holds; `frames` when there are some). */
export function exportResultText(r: { size?: number; seconds?: number; frames?: number } | null | undefined, format: ExportFormat): string {
  if (!r || r.size === undefined) return '';
  const parts = [formatBytes(r.size)];
  if (r.frames !== undefined && formatInfo(format).kind !== 'whole') parts.push(`${r.frames} ${r.frames === 1 ? 'frame' : 'frames'}`);
  const folder = formatInfo(format).folder ? ' (a folder)' : '';
  return ` — ${parts.join(', ')}${folder}${r.seconds !== undefined ? ` in ${r.seconds.toFixed(1)} s` : ''}`;
}
