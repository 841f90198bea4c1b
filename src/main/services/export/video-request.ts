/** Host side of the rendered exports: request → resolved `VideoSettings` (defaults, checks), job params schema, names. */
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { VideoExportSettings } from '@shared/model/export';
import { exportFormatInfo } from '@shared/model/export-formats';
import { VIDEO_DEFAULTS, VIDEO_SIZE, type VideoFormat, type VideoSettings } from './video-types';

export const VideoParams = z.object({
  sequence: z.enum(['turntable', 'tracked']),
  width: z.number().int(),
  height: z.number().int(),
  fps: z.number(),
  crf: z.number().int(),
  frames: z.number().int(),
  expression: z.array(z.number()).nullable(),
  headPose: z.boolean(),
});

export function resolveVideoSettings(v: Partial<VideoExportSettings>, expression: number[] | null, info: AvatarWithFiles): VideoSettings {
  const sequence = v.sequence ?? 'turntable';
  const width = v.width ?? v.height ?? VIDEO_DEFAULTS.width;
  const height = v.height ?? v.width ?? VIDEO_DEFAULTS.height;
  for (const [k, x] of [['width', width], ['height', height]] as const)
    if (!Number.isInteger(x) || x < VIDEO_SIZE.min || x > VIDEO_SIZE.max || x % 2 !== 0)
      throw new StudioError('BAD_REQUEST', `The video ${k} must be an even number of pixels from ${VIDEO_SIZE.min} to ${VIDEO_SIZE.max}, not ${x}.`);
  if (sequence === 'tracked' && expression) throw new StudioError('BAD_REQUEST', 'A tracked video follows the capture’s expressions; an expression applies to a turntable only.');
  if (sequence === 'tracked' && !info.files.fits[0]) throw new StudioError('CONFLICT', 'The capture has no tracked frames any more, so there is no motion to render: export a turntable instead.');
  const fps = v.fps ?? (sequence === 'tracked' && info.fps ? info.fps : VIDEO_DEFAULTS.fps);
  if (!(fps >= 1 && fps <= 120)) throw new StudioError('BAD_REQUEST', `The frame rate must be from 1 to 120 fps, not ${fps}.`);
  return { sequence, width, height, fps, crf: v.crf ?? VIDEO_DEFAULTS.crf, frames: v.frames ?? VIDEO_DEFAULTS.frames, expression, headPose: v.headPose ?? true };
}

/** Default file (mp4) or folder (png-sequence) name after `<avatar>-v<version>-`. */
export function videoTargetName(format: VideoFormat, v: VideoSettings): string {
  const what = v.sequence === 'tracked' ? 'tracked' : v.expression ? 'turntable-expression' : 'turntable';
  return `${what}-${v.width}x${v.height}${exportFormatInfo(format).target}`;
}

export function videoTitle(format: VideoFormat, v: VideoSettings): string {
  return `Render a ${v.sequence === 'tracked' ? 'tracked-motion' : 'turntable'} ${exportFormatInfo(format).title} (${v.width}×${v.height}, ${v.fps} fps)`;
}
